import { loadChannelHistory } from '../runtime/channel.js';
import type { ChatModel, MsgModel } from '../runtime/models.js';
import { never, takeFetchFault } from '../runtime/world.js';

/**
 * WAWebChatLoadMessages: earlier messages of a chat, beyond those in memory (`chat.msgs`). For the
 * channel that is what this page stored and what the server has (after a restart, the whole history);
 * then nothing more. The `throw` and `hang` read-back switches act here.
 */
export const WAWebChatLoadMessages = {
  loadEarlierMsgs: async ({ chat }: { chat: ChatModel }): Promise<MsgModel[]> => {
    const fault = takeFetchFault();
    if (fault === 'throw') throw new Error('fake WhatsApp Web: loading earlier messages failed');
    if (fault === 'hang') return never();
    return chat.newsletterMetadata ? loadChannelHistory(chat) : [];
  },
};
