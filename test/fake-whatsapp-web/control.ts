/**
 * What the tests see of the fake WhatsApp Web: its build options and `window.fakeWhatsApp`, the
 * control the harness calls through the DevTools protocol (types only: shared by the page and Node).
 */

export interface FakeOptions {
  /** `window.Debug.VERSION`, and the file name `<version>.html`. */
  version: string;
  /** The account the phone links (the bot's own number). */
  account: { phone: string; lid: string; pushname: string };
  /** The one channel the account knows. `role` is the account's `membershipType`. */
  channel: { id: string; name: string; inviteCode: string; role: 'owner' | 'admin' | 'subscriber' | 'guest' };
  /** People known by both ids: a DM from `<lid>@lid` resolves to `<phone>@c.us`. */
  contacts: { phone: string; lid: string }[];
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
  /** The last pairing code handed out. */
  pairingCode: string | null;
  /** Whether whatsapp-web.js has injected its code (`window.WWebJS`) and attached its listeners. */
  injected: boolean;
}

/** A post on the channel as the server has it. */
export interface ServerPost {
  id: string;
  serverId: number;
  body: string;
  t: number;
}

/** A channel message as the page holds it (including refused and pending copies). */
export interface PagePost {
  id: string;
  body: string;
  ack: number;
  serverId: number | null;
}

export interface SentDirect {
  to: string;
  body: string;
}

export interface FakeControl {
  state(): FakeState;
  /** The phone scans the QR code (or enters the pairing code): paired, connected, synced. */
  scan(): Promise<void>;
  /** A direct message to the bot, from `<phone>@c.us` or `<lid>@lid`. */
  receive(from: string, body: string): void;
  /** Posts on the channel (server side), oldest first. */
  serverPosts(): Promise<ServerPost[]>;
  /** The channel messages in this page's memory, oldest first. */
  pagePosts(): PagePost[];
  /** Direct messages the bot sent, oldest first. */
  sentDirect(): SentDirect[];
  addSendFault(rule: SendFaultRule): void;
  addFetchFault(rule: FetchFaultRule): void;
  /** The channel cannot be loaded (getChat gets nothing) until switched back. */
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
