import { loadChannel } from '../runtime/channel.js';
import { world } from '../runtime/world.js';

/** WAWebLoadNewsletterPreviewChatAction: asks the server for a channel not loaded yet. */
export const WAWebLoadNewsletterPreviewChatAction = {
  loadNewsletterPreviewChat: async (chatId: string): Promise<void> => {
    if (world.channelMissing || chatId !== world.options.channel.id) throw new Error(`fake WhatsApp Web: newsletter ${chatId} could not be loaded`);
    loadChannel();
  },
};
