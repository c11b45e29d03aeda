/**
 * What the tests see of the fake WhatsApp Web: its build options and `window.fakeWhatsApp`, the
 * control the harness calls through the DevTools protocol (types only: shared by the page and Node).
 */

export interface FakeOptions {
  /** `window.Debug.VERSION`, and the file name `<version>.html`. */
  version: string;
  /** The account the phone links (the bot's own number). */
  account: { phone: string; lid: string; pushname: string };
  /** The account's first channel (the one-channel form). `role` is the account's `membershipType`. */
  channel: FakeChannel;
  /**
   * More channels the account knows, beside `channel` (each with its own posts on the server and in the
   * page). Absent: `channel` is the only one.
   */
  channels?: FakeChannel[];
  /** People known by both ids: a DM from `<lid>@lid` resolves to `<phone>@c.us`. */
  contacts: { phone: string; lid: string }[];
}

/** A channel (newsletter) the fake server knows. */
export interface FakeChannel {
  /** `<digits>@newsletter`. */
  id: string;
  name: string;
  /** What follows `https://whatsapp.com/channel/`. */
  inviteCode: string;
  /** The account's `membershipType` in it. */
  role: 'owner' | 'admin' | 'subscriber' | 'guest';
  /**
   * Whether WhatsApp Web loads it into `WAWebNewsletterCollection` at sync (default: yes, unless the
   * account is only a `guest`). `false`: found only through `WAWebLoadNewsletterPreviewChatAction`, as a
   * channel the page has not loaded yet.
   */
  synced?: boolean;
}

/**
 * A switch for the channel send path, for the next `times` posts whose text contains `match`:
 * - `refuse`: the server says no (the library sets ack 1 and no `serverId`);
 * - `pending`: the server's answer waits for `settlePending()` (ack 0 meanwhile);
 * - `throw`: the page throws before anything is stored or sent;
 * - `hang`: the page never returns, and nothing reaches the server.
 */
export interface SendFaultRule {
  kind: 'refuse' | 'pending' | 'throw' | 'hang';
  match: string;
  times: number;
}

/**
 * A switch for edits (`WAWebSendMessageEditAction`), for the next `times` edits of posts whose current
 * text contains `match`:
 * - `refuse`: the server says no; the page throws and the post keeps its text;
 * - `expired`: the post is past its edit window (`WAWebMsgActionCapability` says it cannot be edited,
 *   so whatsapp-web.js's `Message.edit` returns null without asking the server).
 */
export interface EditFaultRule {
  kind: 'refuse' | 'expired';
  match: string;
  times: number;
}

/** See `FakeControl.holdSends`. */
export interface SendHoldRule {
  match: string;
  times: number;
  stage: 'before-server' | 'after-server';
  /** Only sends to this channel (`…@newsletter`); any channel when absent. */
  channel?: string;
}

/** For the next `times` read-backs (`loadEarlierMsgs`): throw, or never answer. */
export interface FetchFaultRule {
  kind: 'throw' | 'hang';
  times: number;
}

export interface FakeState {
  socket: string;
  /** Logged in (a session in IndexedDB). */
  paired: boolean;
  /** The current QR code text while unpaired, as whatsapp-web.js builds it (ref,noise,identity,adv,platform). */
  qr: string | null;
  /** The last pairing code handed out (`ABCDEFGH`), and the phone number it was asked for. */
  pairingCode: string | null;
  pairingPhone: string | null;
  /** Whether whatsapp-web.js has injected its code (`window.WWebJS`) and attached its listeners. */
  injected: boolean;
}

/** A post on a channel as the server has it. */
export interface ServerPost {
  id: string;
  /** The channel it is on (`…@newsletter`). */
  channel: string;
  /** Counted per channel, from 100, as WhatsApp numbers a channel's posts. */
  serverId: number;
  /** The text followers see: the message, or a media post's caption. */
  body: string;
  t: number;
  /** `chat` (text), `image`, `video`, … (absent on posts stored before media support: text). */
  type?: string;
  /** A media post: its MIME type and the upload's handle the server got. */
  mimetype?: string;
  mediaHandle?: string;
  /** Seconds since the epoch of the last edit, and how many edits the server took. */
  editedAt?: number;
  edits?: number;
}

/** A channel message as the page holds it (including refused and pending copies). */
export interface PagePost {
  id: string;
  /** The channel it belongs to (`…@newsletter`). */
  channel: string;
  /** The text: the message, or a media post's caption. */
  body: string;
  type: string;
  ack: number;
  serverId: number | null;
}

export interface SentDirect {
  to: string;
  body: string;
}

export interface FakeControl {
  state(): FakeState;
  /** The phone scans the QR code: paired, connected, synced. */
  scan(): Promise<void>;
  /**
   * The account's phone enters a pairing code (Linked devices → Link with phone number): it links when
   * the code is the one this page last showed and was asked for the account's own number; else throws.
   */
  enterPairingCode(code: string): Promise<void>;
  /** A direct message to the bot, from `<phone>@c.us` or `<lid>@lid`. */
  receive(from: string, body: string): void;
  /** Posts on the channel `channelId` (server side), oldest first; without it, every channel's, channel by channel in the options' order. */
  serverPosts(channelId?: string): Promise<ServerPost[]>;
  /** The messages of channel `channelId` in this page's memory, oldest first; without it, every loaded channel's. */
  pagePosts(channelId?: string): PagePost[];
  /** Direct messages the bot sent, oldest first. */
  sentDirect(): SentDirect[];
  addSendFault(rule: SendFaultRule): void;
  addFetchFault(rule: FetchFaultRule): void;
  addEditFault(rule: EditFaultRule): void;
  /**
   * Holds the next `times` channel sends whose text contains `match`, with the post stored in the page
   * (ack 0): before the server has it, or after the server took it but before its answer reached the
   * page. They stay held until `releaseSends()`, or until the page goes away (a SIGKILLed bot): then
   * a post held before the server never reaches the channel, one held after it is on the channel.
   */
  holdSends(rule: SendHoldRule): void;
  /** The sends held right now. */
  heldSends(): { body: string; stage: SendHoldRule['stage'] }[];
  /** Lets the held sends go to the server (accepted as usual). Returns how many. */
  releaseSends(): number;
  /** How many channel messages the page holds in memory (`chat.msgs` of every channel, `Msg`), for the memory bench. */
  loadedCounts(): { channelMsgs: number; msgs: number };
  /** No channel can be loaded (getChat gets nothing) until switched back. */
  setChannelMissing(missing: boolean): void;
  /** Posts held by a `pending` fault right now. */
  pendingPosts(): string[];
  /** The server answers the held posts whose text contains `match` (all when empty): accepted or refused. Returns how many. */
  settlePending(verdict: 'accept' | 'refuse', match?: string): number;
  /** The phone unlinks this device: WhatsApp Web clears its storage and reloads (a new QR). */
  logout(): Promise<void>;
  /** The connection changes state (e.g. `CONFLICT`): whatsapp-web.js reports `disconnected`. */
  setSocketState(state: string): void;
}

declare global {
  interface Window {
    fakeWhatsApp: FakeControl;
  }
}
