import type { ChatModel } from '../runtime/models.js';

/** WAWebChatGetters: what kind of chat a model is. */
export const WAWebChatGetters = {
  getIsNewsletter: (chat: ChatModel): boolean => chat.id.server === 'newsletter',
  getIsBroadcast: (chat: ChatModel): boolean => chat.id.server === 'broadcast',
};
