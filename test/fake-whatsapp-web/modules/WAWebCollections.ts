import { Collection } from '../runtime/collection.js';
import { ChatModel, MsgModel } from '../runtime/models.js';
import { world } from '../runtime/world.js';

/**
 * WAWebNewsletterCollection: the channels this page has loaded. While the `channelMissing` switch is
 * on, `get` finds nothing (a channel WhatsApp Web has not loaded yet, or lost).
 */
class NewsletterCollection extends Collection<ChatModel> {
  override get(id: string | { _serialized: string } | undefined): ChatModel | undefined {
    return world.channelMissing ? undefined : super.get(id);
  }
}

/**
 * The Msg collection. `getMessagesById` finds messages not in it (whatsapp-web.js's fallback for
 * `Message.edit`, reactions, quotes): here, in the chats' loaded messages, and puts them in.
 */
class MsgCollection extends Collection<MsgModel> {
  async getMessagesById(ids: string[]): Promise<{ messages: MsgModel[] }> {
    const messages: MsgModel[] = [];
    for (const id of ids) {
      const found = this.get(id) ?? [...WAWebCollections.WAWebNewsletterCollection.getModelsArray(), ...WAWebCollections.Chat.getModelsArray()].map((c) => c.msgs.get(id)).find(Boolean);
      if (!found) continue;
      this.add(found);
      messages.push(found);
    }
    return { messages };
  }
}

/** WAWebCollections: the page's models. `NewsletterMetadataCollection.update` refreshes a channel's metadata. */
export const WAWebCollections = {
  Msg: new MsgCollection(MsgModel),
  Chat: new Collection<ChatModel>(ChatModel as never),
  WAWebNewsletterCollection: new NewsletterCollection(),
  NewsletterMetadataCollection: { update: async (_id: unknown): Promise<void> => undefined },
};
