import type { DirectMessages, IncomingMessage } from '../../src/channel/direct-messages.js';

/** Records replies and sends; `deliver` plays an incoming message to the registered handler. */
export function createFakeDirectMessages() {
  const replies: { chatId: string; text: string }[] = [];
  const sent: { phone: string; text: string }[] = [];
  let handler: ((m: IncomingMessage) => void | Promise<void>) | null = null;
  const messages: DirectMessages & {
    replies: typeof replies;
    sent: typeof sent;
    deliver(m: Partial<IncomingMessage>): Promise<void>;
  } = {
    replies,
    sent,
    onMessage(h) {
      handler = h;
      return () => {
        handler = null;
      };
    },
    async reply(chatId, text) {
      replies.push({ chatId, text });
    },
    async sendToPhone(phone, text) {
      sent.push({ phone, text });
    },
    async deliver(m) {
      await handler?.(incoming(m));
    },
  };
  return messages;
}

/** A direct text message from a person, with fields overridable. */
export function incoming(m: Partial<IncomingMessage> = {}): IncomingMessage {
  return { chatId: '60123456789@c.us', senderPhone: '60123456789', fromMe: false, isStatus: false, type: 'chat', body: 'hi', at: 0, ...m };
}
