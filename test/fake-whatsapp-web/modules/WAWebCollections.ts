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

/** WAWebCollections: the page's models. `NewsletterMetadataCollection.update` refreshes a channel's metadata. */
export const WAWebCollections = {
  Msg: new Collection<MsgModel>(MsgModel),
  Chat: new Collection<ChatModel>(ChatModel as never),
  WAWebNewsletterCollection: new NewsletterCollection(),
  NewsletterMetadataCollection: { update: async (_id: unknown): Promise<void> => undefined },
};
