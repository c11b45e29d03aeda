import type { Article } from '../articles/article.js';
import type { ChannelInfo } from '../channel/channel.js';
import type { DirectMessages } from '../channel/direct-messages.js';
import { errorDetail, type Logger } from '../log.js';
import type { DispatcherEvents } from '../dispatch/dispatcher.js';
import type { Delivery } from '../store/rows.js';
import { formatTime } from './when.js';

/** The phone of the admin who queued an article (source `admin:+<digits>`), or null. */
export function adminPhoneOf(article: Article): string | null {
  const match = /^admin:\+?(\d{8,15})$/.exec(article.source);
  return match?.[1] ?? null;
}

/**
 * Delivery receipts: the admin who queued an article is told by WhatsApp message when it is posted.
 * When an article finally fails, every admin is told (the one who queued it may be off shift), each
 * once. A receipt that cannot be sent is logged; posting is never held up.
 */
export function createReceipts(options: {
  messages: DirectMessages;
  channelInfo: () => ChannelInfo | null;
  timezone: string;
  log: Logger;
  /** Every admin's phone: all are told when an article finally fails. */
  admins?: readonly string[];
}): DispatcherEvents {
  const sendTo = (phones: readonly string[], article: Article, text: string) => {
    for (const phone of phones) {
      options.messages.sendToPhone(phone, text).catch((err: unknown) => {
        options.log.warn({ articleId: article.id, phone, ...errorDetail(err) }, 'could not send a delivery receipt');
      });
    }
  };
  const send = (article: Article, text: string) => {
    const phone = adminPhoneOf(article);
    if (phone) sendTo([phone], article, text);
  };
  return {
    posted(article: Article, delivery: Delivery) {
      const channel = options.channelInfo()?.name ?? 'the channel';
      const at = formatTime(article.postedAt ?? delivery.finishedAt ?? Date.now(), options.timezone);
      send(article, `✅ #${article.id} posted to ${channel} at ${at}, message id ${delivery.messageId ?? 'unknown'}.\n${article.headline}`);
    },
    failed(article: Article, error: string) {
      const text = `❌ #${article.id} could not be posted: ${error}\nSend /retry ${article.id} to try again.\n${article.headline}`;
      const phone = adminPhoneOf(article);
      sendTo([...new Set([...(phone ? [phone] : []), ...(options.admins ?? [])])], article, text);
    },
  };
}
