import type { Channel, ChannelStatus } from '../channel/channel.js';
import type { DirectMessages } from '../channel/direct-messages.js';
import type { Clock } from '../clock.js';
import { errorDetail, type Logger } from '../log.js';
import { formatTime } from './when.js';

/** Outages shorter than this (a reconnect blip) are only logged, not messaged. */
const QUIET_OUTAGE_MS = 5 * 60_000;

/**
 * Tells every admin by WhatsApp message when posting comes back after an outage that needed a login
 * or lasted more than five minutes: when it stopped, why, and how much waited. (While WhatsApp is down
 * nobody can be messaged; the log and `status` carry the news meanwhile.) Returns a stop function.
 */
export function startAdminNotices(options: {
  channel: Channel;
  messages: DirectMessages;
  admins: readonly string[];
  clock: Clock;
  timezone: string;
  log: Logger;
  /** How many articles are waiting, for the message. */
  waiting: () => number;
}): () => void {
  const { channel, messages, clock, log } = options;
  let outage: { since: number; reason: string; neededLogin: boolean } | null = null;
  let wasReady = channel.status().state === 'ready';

  const onStatus = (status: ChannelStatus) => {
    if (status.state === 'ready') {
      if (outage && (outage.neededLogin || clock.now() - outage.since >= QUIET_OUTAGE_MS)) notify(outage);
      outage = null;
      wasReady = true;
      return;
    }
    if (!wasReady || status.state === 'stopped') return; // starting up, or shutting down on purpose
    const neededLogin = status.state === 'waiting-for-login' || status.state === 'logged-out';
    if (!outage) outage = { since: status.since, reason: status.detail ?? status.state, neededLogin };
    else if (neededLogin && !outage.neededLogin) outage = { ...outage, neededLogin, reason: status.detail ?? status.state };
  };

  function notify(o: NonNullable<typeof outage>): void {
    const now = clock.now();
    const text =
      `⚠️ Posting to the channel stopped at ${formatTime(o.since, options.timezone, now)} (${o.reason}) and resumed at ` +
      `${formatTime(now, options.timezone, now)}. ${options.waiting()} article(s) are waiting and go out now, paced as usual.`;
    for (const phone of options.admins) {
      messages.sendToPhone(phone, text).catch((err: unknown) => log.warn({ phone, ...errorDetail(err) }, 'could not send an outage notice'));
    }
    log.warn({ since: new Date(o.since).toISOString(), reason: o.reason }, 'posting resumed after an outage; admins notified');
  }

  return channel.onStatus(onStatus);
}
