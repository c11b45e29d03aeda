/**
 * Direct messages to and from the bot's own WhatsApp account: admins' commands, readers' "subscribe",
 * delivery receipts. Implemented by the WhatsApp adapter; the dry run has none.
 */

/** A message someone sent the bot, as the adapter saw it. */
export interface IncomingMessage {
  /** The chat it came from: `…@c.us` / `…@lid` for a person, `…@g.us` group, `…@newsletter`, `status@broadcast`. */
  chatId: string;
  /** The sender's phone number as digits (country code first), resolved from a `@lid` id when needed; null if unknown. */
  senderPhone: string | null;
  /** Sent by the bot's own account (from the phone or by the bot itself). */
  fromMe: boolean;
  /** A status update rather than a chat message. */
  isStatus: boolean;
  /** WhatsApp's message type: `chat` for text. */
  type: string;
  body: string;
  /** Epoch ms. */
  at: number;
}

export interface DirectMessages {
  /** Calls `handler` for every incoming message; returns an unsubscribe function. */
  onMessage(handler: (message: IncomingMessage) => void | Promise<void>): () => void;
  /** Replies in the chat a message came from. */
  reply(chatId: string, text: string): Promise<void>;
  /** Sends a message to a phone number (digits, country code first). */
  sendToPhone(phone: string, text: string): Promise<void>;
}
