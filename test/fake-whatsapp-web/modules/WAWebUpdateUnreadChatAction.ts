import type { ChatModel } from '../runtime/models.js';

/** WAWebUpdateUnreadChatAction: marks a chat read. */
export const WAWebUpdateUnreadChatAction = {
  sendSeen: async ({ chat }: { chat: ChatModel; threadId?: unknown }): Promise<void> => {
    chat.unreadCount = 0;
  },
};
