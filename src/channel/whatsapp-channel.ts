import type { Client, Channel as WaChannel } from 'whatsapp-web.js';
import type { ChannelTarget } from '../config.js';
import { errorMessage } from '../log.js';
import { ChannelError, type ChannelInfo, type ConfirmedPost } from './channel.js';

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
    if (!best || postedAt >= best.postedAt) best = { messageId: message.id._serialized, postedAt };
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
