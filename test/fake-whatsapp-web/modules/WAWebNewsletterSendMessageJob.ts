import type { MsgModel } from '../runtime/models.js';
import { storage } from '../runtime/storage.js';
import { world } from '../runtime/world.js';
import { decidedFaults } from './WAWebNewsletterUpdateMsgsRecordsJob.js';

type SendResult = { success: true; serverId: number; ack: { t: number } } | { success: false; error: { code: number; text: string } };

/**
 * WAWebNewsletterSendMessageJob: the server round trip of a channel post. Accepting writes the post to
 * the server store first (it is on the channel from then on, whatever happens to the page), then
 * answers with its `serverId`. `refuse` answers `success: false`; `pending` holds the answer until the
 * harness settles it.
 */
export const WAWebNewsletterSendMessageJob = {
  sendNewsletterMessageJob: async ({ msg }: { msg: MsgModel; type: string; newsletterJid: string }): Promise<SendResult> => {
    const key = msg.id._serialized;
    const body = String(msg.body ?? (msg as unknown as { pollName?: string }).pollName ?? '');
    const fault = decidedFaults.get(key);
    decidedFaults.delete(key);
    let verdict: 'accept' | 'refuse' = fault === 'refuse' ? 'refuse' : 'accept';
    if (fault === 'pending') {
      verdict = await new Promise((resolve) => world.held.push({ body, answer: resolve }));
    }
    if (verdict === 'refuse') return { success: false, error: { code: 400, text: 'fake WhatsApp Web: refused by the server' } };
    const t = Math.floor(Date.now() / 1000);
    const serverId = world.nextServerId++;
    await storage.putServerPost({ id: key, serverId, body, t });
    return { success: true, serverId, ack: { t } };
  },
};
