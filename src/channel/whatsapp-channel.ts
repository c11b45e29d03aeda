import wwebjs, { type Client, type Channel as WaChannel } from 'whatsapp-web.js';
import type { ChannelTarget } from '../config.js';
import { errorMessage } from '../log.js';
import { ChannelError, type ChannelInfo, type ConfirmedPost, type EditResult, type PostImage } from './channel.js';

/** How many of the bot's latest channel messages a read-back compares. */
export const READ_BACK_LIMIT = 50;

export interface ResolvedChannel {
  info: ChannelInfo;
  /** The logged-in account's role in the channel ('owner', 'admin', …) when the page tells; else null. */
  role: string | null;
}

/** Fields of a channel's `channelMetadata` (newsletterMetadata.serialize(), untyped upstream) we read. */
interface ChannelMetadataSeen {
  inviteCode?: unknown;
  membershipType?: unknown;
}

/**
 * Finds the target channel. `getChatById` returns a plain chat for ids that are not channels and
 * undefined for unknown ones; `getChannelByInviteCode` returns undefined when the server knows no such
 * code. Both are null here. Anything thrown (page errors) passes through: it may be temporary.
 */
export async function resolveChannel(
  client: Pick<Client, 'getChatById' | 'getChannelByInviteCode'>,
  target: ChannelTarget,
): Promise<ResolvedChannel | null> {
  const chat: unknown = target.kind === 'id' ? await client.getChatById(target.id) : await client.getChannelByInviteCode(target.code);
  const channel = asChannel(chat);
  if (!channel) return null;
  const meta = (channel as { channelMetadata?: ChannelMetadataSeen }).channelMetadata;
  const inviteCode = typeof meta?.inviteCode === 'string' && meta.inviteCode ? meta.inviteCode : null;
  const inviteLink = target.kind === 'invite' ? target.link : inviteCode ? `https://whatsapp.com/channel/${inviteCode}` : null;
  return {
    info: { id: channel.id._serialized, name: channel.name, inviteLink },
    role: typeof meta?.membershipType === 'string' ? meta.membershipType : null,
  };
}

/**
 * Posts text to the channel and returns the message id. Throws ChannelError: retryable for anything
 * thrown (the library also throws plain strings) and for an `undefined` result; not retryable for
 * `null`, which means the library refused the content type for a channel.
 */
export async function sendPost(client: Pick<Client, 'sendMessage'>, channelId: string, text: string): Promise<string> {
  let sent: Awaited<ReturnType<Client['sendMessage']>> | null | undefined;
  try {
    // sendSeen: the default `true` path crashes for channels in 1.34.x (upstream #5788). linkPreview
    // is the library's default as well; spelled out because news posts carry links.
    sent = await client.sendMessage(channelId, text, { sendSeen: false, linkPreview: true });
  } catch (err) {
    throw new ChannelError(`WhatsApp send failed: ${errorMessage(err)}`, true, { cause: err });
  }
  // Typed as Message, but Client.sendMessage returns null for content a channel does not accept and
  // undefined when the page found no chat or its send produced no message.
  if (sent === null) {
    throw new ChannelError(
      'WhatsApp refused this content for a channel (only text, image, video, gif, sticker, voice and poll are allowed); retrying the same post cannot help',
      false,
    );
  }
  if (sent === undefined) {
    // Retryable: the channel was found at login, so the likely cause is the page's channel list not
    // being loaded yet. The dispatcher's attempt limit bounds the retries.
    throw new ChannelError(`WhatsApp returned no message for channel ${channelId} (channel not loaded in the page?); will retry`, true);
  }
  if (!acceptedByServer(sent)) {
    // The library keeps the post in the page and marks it sent even when the server said no
    // (src/util/Injected/Utils.js: serverId is only set on success). It is not on the channel.
    throw new ChannelError('WhatsApp did not accept the channel post (the server gave it no id); will retry', true);
  }
  return sent.id._serialized;
}

/**
 * Whether the server accepted a channel message: whatsapp-web.js 1.34.7 sets `serverId` only when the
 * newsletter send succeeded (src/util/Injected/Utils.js), and the page returns messages by value, so a
 * refused one arrives without the key at all. Only a present, non-empty id counts.
 */
export function acceptedByServer(message: object): boolean {
  const data = (message as { _data?: unknown })._data;
  if (typeof data !== 'object' || data === null) return false;
  const id = (data as { serverId?: unknown }).serverId;
  // Equivalent survivor, not marked (a mark would hide killed mutants): `typeof id === 'number'` as `true`; Number.isFinite is false for a non-number.
  return (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length > 0);
}

/**
 * Reads the channel back and returns the newest of the bot's own messages whose text is the post's.
 * whatsapp-web.js 1.34.7 (src/util/Injected/Utils.js) adds a channel message to the page's local store
 * before the server is asked, and fetchMessages reads that store first; a message the server refused has
 * no `serverId`, so such a copy is not counted as posted. One still waiting for the server's answer is
 * neither found nor absent: the read-back throws a retryable error, so nothing is sent again meanwhile.
 */
export async function findOwnPost(
  client: Pick<Client, 'getChatById'>,
  channelId: string,
  text: string,
  now: number = Date.now(),
): Promise<ConfirmedPost | null> {
  let messages: Awaited<ReturnType<WaChannel['fetchMessages']>>;
  try {
    const channel = asChannel(await client.getChatById(channelId));
    if (!channel) throw new Error(`channel ${channelId} could not be loaded`);
    messages = await channel.fetchMessages({ limit: READ_BACK_LIMIT, fromMe: true });
  } catch (err) {
    throw new ChannelError(`reading the channel back failed: ${errorMessage(err)}; will retry`, true, { cause: err });
  }
  const wanted = normalisePostText(text);
  let best: ConfirmedPost | null = null;
  let pending = false;
  for (const message of messages) {
    if (typeof message.body !== 'string' || normalisePostText(message.body) !== wanted) continue;
    const verdict = serverVerdict(message);
    // The page gives up on the server well before this; an answer this late is not coming.
    pending ||= verdict === 'pending' && now - message.timestamp * 1000 < PENDING_AT_MOST_MS;
    if (verdict !== 'accepted') continue; // only in the page: refused, or not answered yet
    const postedAt = message.timestamp * 1000;
    // An image post's `body` is its caption (Message.js: hasMedia ? caption : body), so it is found by text too.
    if (!best || postedAt >= best.postedAt) best = { messageId: message.id._serialized, postedAt, ...(message.hasMedia === true ? { hasMedia: true } : {}) };
  }
  if (!best && pending) {
    // Sending again now could post it twice once the server answers: look again later instead.
    throw new ChannelError('the post is still waiting for the WhatsApp server to answer; the channel is read again before any new send', true, {
      waiting: true,
    });
  }
  return best;
}

/** How long a post may wait for the server's answer before the read-back counts it as not sent. */
export const PENDING_AT_MOST_MS = 15 * 60_000;

/**
 * What the server said of one of our channel messages, as the page shows it. The page adds the post
 * with ack 0, asks the server, then sets ack 1 whatever the answer, and `serverId` only on success.
 */
export function serverVerdict(message: object): 'accepted' | 'pending' | 'refused' {
  if (acceptedByServer(message)) return 'accepted';
  return (message as { ack?: unknown }).ack === 0 ? 'pending' : 'refused';
}

/** WhatsApp may store line ends and edge whitespace differently from what was sent. */
export function normalisePostText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

function asChannel(chat: unknown): WaChannel | null {
  return typeof chat === 'object' && chat !== null && (chat as { isChannel?: unknown }).isChannel === true ? (chat as WaChannel) : null;
}

/**
 * Errors the page throws while preparing an image post, before the server is asked for anything
 * (src/util/Injected/Utils.js: processMediaData's upload, the media metadata the channel send needs,
 * `msg.avParams is not a function` of unpatched 1.34.7 on current WhatsApp Web builds). Such a post
 * cannot be on the channel: a text fallback needs no read-back first.
 */
const MEDIA_NOT_SENT = /avParams is not a function|media-fault|upload failed|mediaMetadata with|Failed to get media type|Unsupported media type/;

/**
 * Posts an image with `caption` to the channel and returns the message id. Throws ChannelError like
 * sendPost; `notSent` is set when the failure certainly happened before the server was asked.
 */
export async function sendImagePost(client: Pick<Client, 'sendMessage'>, channelId: string, image: PostImage, caption: string): Promise<string> {
  const media = new wwebjs.MessageMedia(image.mimetype, image.data.toString('base64'), image.filename, image.data.length);
  let sent: Awaited<ReturnType<Client['sendMessage']>> | null | undefined;
  try {
    // linkPreview off: for media the library looks for a link in the thumbnail, not the caption.
    sent = await client.sendMessage(channelId, media, { caption, sendSeen: false, linkPreview: false });
  } catch (err) {
    const notSent = MEDIA_NOT_SENT.test(errorMessage(err));
    throw new ChannelError(`WhatsApp image send failed: ${errorMessage(err)}`, true, { cause: err, notSent });
  }
  if (sent === null) throw new ChannelError('WhatsApp refused the image for a channel', false, { notSent: true });
  if (sent === undefined) throw new ChannelError(`WhatsApp returned no message for the image post to ${channelId}`, true);
  if (!acceptedByServer(sent)) throw new ChannelError('WhatsApp did not accept the image post (the server gave it no id)', true);
  return sent.id._serialized;
}

/** What editOwnPost needs of the client: the message lookup (Client.getMessageById). */
export type EditClient = Pick<Client, 'getMessageById'>;

/**
 * Edits one of the bot's channel messages to `text` (Message.edit). whatsapp-web.js returns null when
 * the page will not edit it (not ours, not found, or WhatsApp's capability check `canEditText` /
 * `canEditCaption` says no: past the edit window); that is `not-editable`. Anything thrown is a
 * retryable ChannelError: an edit to the same text is safe to repeat. `linkPreview: false`: a missing
 * preview crashes the page's editMessage.
 */
export async function editOwnPost(client: EditClient, messageId: string, text: string): Promise<EditResult> {
  let edited: unknown;
  try {
    const message = await client.getMessageById(messageId);
    if (!message) return { kind: 'not-editable', reason: 'the message was not found on the channel' };
    if (message.fromMe !== true) return { kind: 'not-editable', reason: 'the message is not the bot\'s own' };
    edited = await message.edit(text, { linkPreview: false });
  } catch (err) {
    throw new ChannelError(`WhatsApp edit failed: ${errorMessage(err)}; will retry`, true, { cause: err });
  }
  if (!edited) return { kind: 'not-editable', reason: 'WhatsApp will not edit it (older than the edit window, or refused)' };
  return { kind: 'edited', messageId };
}
