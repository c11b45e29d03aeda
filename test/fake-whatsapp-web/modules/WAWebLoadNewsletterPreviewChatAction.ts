import { loadChannel } from '../runtime/channel.js';
import { channelById, world } from '../runtime/world.js';

/** WAWebLoadNewsletterPreviewChatAction: asks the server for a channel not loaded yet (any channel the fake knows). */
export const WAWebLoadNewsletterPreviewChatAction = {
  loadNewsletterPreviewChat: async (chatId: string): Promise<void> => {
    const channel = channelById(chatId);
    if (world.channelMissing || !channel) throw new Error(`fake WhatsApp Web: newsletter ${chatId} could not be loaded`);
    loadChannel(channel);
  },
};
