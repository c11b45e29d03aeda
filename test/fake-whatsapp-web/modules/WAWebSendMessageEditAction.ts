import type { MsgModel } from '../runtime/models.js';
import { storage } from '../runtime/storage.js';
import { takeEditFault } from '../runtime/world.js';
import { WAWebMsgDataFromModel } from './WAWebMsgDataFromModel.js';

/** The server's refusal of an edit. */
class EditRefusedError extends Error {
  override name = 'ServerStatusCodeError';
}

/**
 * WAWebSendMessageEditAction: sends an edit of an own message. For a channel post the server changes the
 * post first (the `refuse` edit switch: it says no, the page throws and nothing changes); then the page's
 * model takes the new text (the caption of a media post) and its stored record is rewritten.
 */
export const WAWebSendMessageEditAction = {
  sendMessageEdit: async (msg: MsgModel, content: string, _options: Record<string, unknown>): Promise<void> => {
    const key = msg.id._serialized;
    const now = Date.now();
    if (msg.id.remote.server === 'newsletter') {
      if (takeEditFault(msg.text(), ['refuse']) === 'refuse') throw new EditRefusedError('fake WhatsApp Web: the server refused the edit (400)');
      const post = await storage.getServerPost(key);
      if (!post) throw new EditRefusedError(`fake WhatsApp Web: no post ${key} on the channel (404)`);
      await storage.putServerPost({ ...post, body: content, editedAt: Math.floor(now / 1000), edits: (post.edits ?? 0) + 1 });
    }
    if (msg.isMedia) msg.caption = content;
    else msg.body = content;
    msg.latestEditSenderTimestampMs = now;
    msg.trigger(msg.isMedia ? 'change:caption' : 'change:body', msg);
    if (msg.id.remote.server === 'newsletter') await storage.putLocalMsg(WAWebMsgDataFromModel.msgDataFromMsgModel(msg));
  },
};
