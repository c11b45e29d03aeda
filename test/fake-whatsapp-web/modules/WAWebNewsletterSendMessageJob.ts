import type { MsgModel } from '../runtime/models.js';
import { storage } from '../runtime/storage.js';
import { channelById, holdSend, takeSendHold, takeServerId, world } from '../runtime/world.js';
import { decidedFaults } from './WAWebNewsletterUpdateMsgsRecordsJob.js';

type SendResult = { success: true; serverId: number; ack: { t: number } } | { success: false; error: { code: number; text: string } };

/** What a channel accepts as media (whatsapp-web.js: text, image, video, gif, sticker, voice and poll). */
const CHANNEL_MEDIA = new Set(['image', 'video', 'gif', 'sticker', 'ptt']);

interface SendRequest {
  msg: MsgModel;
  type: string;
  newsletterJid: string;
  /** Media posts: the upload's metadata and handle (whatsapp-web.js passes `msg.avParams()` here). */
  mediaMetadata?: unknown;
  mediaHandle?: string | null;
}

/**
 * WAWebNewsletterSendMessageJob: the server round trip of a channel post. Accepting writes the post to
 * the server store first (it is on the channel from then on, whatever happens to the page), then
 * answers with its `serverId`. `refuse` answers `success: false`; `pending` holds the answer until the
 * harness settles it; a send hold (`holdSends`) waits before the server has the post or after it.
 * A media post needs the handle of an upload this page made and its media metadata, else it is refused.
 * The post lands on the channel it is addressed to (`newsletterJid`), which must be one the server knows
 * and the message's own chat.
 */
export const WAWebNewsletterSendMessageJob = {
  sendNewsletterMessageJob: async ({ msg, type, newsletterJid, mediaMetadata, mediaHandle }: SendRequest): Promise<SendResult> => {
    const key = msg.id._serialized;
    if (!channelById(newsletterJid) || msg.id.remote._serialized !== newsletterJid) {
      return { success: false, error: { code: 404, text: `fake WhatsApp Web: no channel ${newsletterJid} for message ${key}` } };
    }
    const body = msg.text();
    const fault = decidedFaults.get(key);
    decidedFaults.delete(key);
    const hold = takeSendHold(body, newsletterJid);
    if (hold === 'before-server') await holdSend(body, hold);
    let verdict: 'accept' | 'refuse' = fault === 'refuse' ? 'refuse' : 'accept';
    if (fault === 'pending') {
      verdict = await new Promise((resolve) => world.held.push({ body, answer: resolve }));
    }
    if (type === 'media') {
      const upload = mediaHandle ? world.uploads.get(mediaHandle) : undefined;
      if (!upload || typeof mediaMetadata !== 'object' || mediaMetadata === null || !CHANNEL_MEDIA.has(msg.type)) {
        return { success: false, error: { code: 400, text: 'fake WhatsApp Web: media post without an upload handle, media metadata or an allowed type' } };
      }
    }
    if (verdict === 'refuse') return { success: false, error: { code: 400, text: 'fake WhatsApp Web: refused by the server' } };
    const t = Math.floor(Date.now() / 1000);
    const serverId = takeServerId(newsletterJid);
    await storage.putServerPost({
      id: key,
      channel: newsletterJid,
      serverId,
      body,
      t,
      type: msg.type,
      ...(type === 'media' ? { mimetype: String(msg.mimetype ?? ''), mediaHandle: String(mediaHandle), directPath: String(msg.directPath ?? '') } : {}),
    });
    if (hold === 'after-server') await holdSend(body, hold);
    return { success: true, serverId, ack: { t } };
  },
};
