import type { Clock } from '../clock.js';
import { startWakeSchedule, type WakeSchedule } from '../dispatch/wake-schedule.js';
import { errorDetail, type Logger } from '../log.js';
import type { ArticleQueue } from '../store/article-queue.js';
import type { ChannelsStore } from '../store/channels-store.js';
import type { DigestStore } from '../store/digest-store.js';
import { createDigests, type Digests } from './digest.js';

export interface DigestScheduleOptions {
  channels: ChannelsStore;
  store: DigestStore;
  queue: Pick<ArticleQueue, 'enqueue'>;
  timezone: string;
  breakingLabel: string;
  /** The link as posted on a channel (tracked links). */
  link?: (url: string, channel: string) => string;
  clock: Clock;
  log: Logger;
  /** After a digest article was queued: wake the posting loop. */
  onQueued: () => void;
}

/**
 * Starts the digests: looks for due slots once a minute (node-cron, in NEWSDESK_TIMEZONE) and once at
 * start, so a slot missed while the bot was down is posted as soon as it is back. The tick is only a
 * wake-up: the digests table says what is done, so ticks that come twice or not at all change nothing.
 */
export function startDigestSchedule(options: DigestScheduleOptions): { digests: Digests; schedule: WakeSchedule } {
  const { channels, log } = options;
  const digests = createDigests({
    channels: () => channels.list(),
    digestSince: (name) => channels.stored(name)?.digestSince ?? null,
    store: options.store,
    queue: options.queue,
    timezone: options.timezone,
    breakingLabel: options.breakingLabel,
    link: options.link,
    clock: options.clock,
    log,
    onQueued: options.onQueued,
  });
  const tick = () => {
    try {
      digests.runDue();
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'digest tick failed');
    }
  };
  const schedule = startWakeSchedule('* * * * *', options.timezone, tick);
  tick();
  return { digests, schedule };
}
