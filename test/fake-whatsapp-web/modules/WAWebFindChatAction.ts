import { ChatModel } from '../runtime/models.js';
import { WAWebCollections } from './WAWebCollections.js';
import type { Wid } from './WAWebWidFactory.js';

/** WAWebFindChatAction: a person's chat, created when there is none yet. */
export const WAWebFindChatAction = {
  findOrCreateLatestChat: async (wid: Wid): Promise<{ chat: ChatModel }> => {
    let chat = WAWebCollections.Chat.get(wid);
    if (!chat) {
      chat = new ChatModel(wid, wid.user);
      WAWebCollections.Chat.add(chat);
    }
    return { chat };
  },
};
