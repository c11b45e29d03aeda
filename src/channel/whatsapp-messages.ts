import type { Message } from 'whatsapp-web.js';
import { errorMessage } from '../log.js';
import { ChannelError } from './channel.js';
import type { IncomingMessage } from './direct-messages.js';
import type { ClientLike } from './whatsapp-launch.js';

/**
 * Turns a whatsapp-web.js message into an IncomingMessage. A sender known only by a `…@lid` id is
 * resolved to its phone number with getContactLidAndPhone, so admin checks compare phone numbers.
 */
export async function toIncoming(client: Pick<ClientLike, 'getContactLidAndPhone'>, msg: Message): Promise<IncomingMessage> {
  const chatId = String(msg.from ?? '');
  // In a direct chat the sender is the chat itself. `author` only means something in a group; a direct
  // message carrying one (a forged or odd payload) must not pass for someone else, such as an admin.
  const direct = /@(c\.us|lid|s\.whatsapp\.net)$/.test(chatId);
  const sender = direct ? chatId : String((msg.author as string | undefined) || chatId);
  return {
    chatId,
    senderPhone: await phoneOf(client, sender),
    fromMe: msg.fromMe === true,
    isStatus: msg.isStatus === true || chatId === 'status@broadcast',
    type: String(msg.type ?? ''),
    body: typeof msg.body === 'string' ? msg.body : '',
    at: (typeof msg.timestamp === 'number' ? msg.timestamp : 0) * 1000,
  };
}

async function phoneOf(client: Pick<ClientLike, 'getContactLidAndPhone'>, id: string): Promise<string | null> {
  const direct = /^(\d{6,15})@(c\.us|s\.whatsapp\.net)$/.exec(id);
  if (direct) return direct[1]!;
  if (!id.endsWith('@lid')) return null;
  const [pair] = await client.getContactLidAndPhone([id]);
  const phone = pair?.pn ? /^(\d{6,15})@/.exec(pair.pn) : null;
  return phone?.[1] ?? null;
}

/** Sends a text to a person's chat. Throws ChannelError when WhatsApp does not take it. */
export async function sendDirect(client: Pick<ClientLike, 'sendMessage'>, chatId: string, text: string): Promise<void> {
  let sent: unknown;
  try {
    sent = await client.sendMessage(chatId, text, { linkPreview: false });
  } catch (err) {
    throw new ChannelError(`could not message ${chatId}: ${errorMessage(err)}`, true, { cause: err });
  }
  if (!sent) throw new ChannelError(`could not message ${chatId}: WhatsApp returned nothing`, true);
}

/** The chat id of a phone number registered on WhatsApp (digits, country code first). */
export async function chatIdOfPhone(client: Pick<ClientLike, 'getNumberId'>, phone: string): Promise<string> {
  const id = await client.getNumberId(phone);
  if (!id) throw new ChannelError(`+${phone} is not on WhatsApp`, false);
  return id._serialized;
}
