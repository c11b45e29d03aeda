import { EVERY_MINUTE, startWakeSchedule, type WakeSchedule } from '../dispatch/wake-schedule.js';
import { errorDetail } from '../log.js';
import type { ChannelsStore } from '../store/channels-store.js';
import { createDigests, type Digests, type DigestsOptions } from './digest.js';

/** The digests' options, with the registry in place of its two readers. */
export type DigestScheduleOptions = Omit<DigestsOptions, 'channels' | 'digestSince' | 'onQueued'> & {
  channels: ChannelsStore;
  /** After a digest article was queued: wake the posting loop. */
  onQueued: () => void;
};

/**
 * Starts the digests: looks for due slots once a minute (node-cron, in NEWSDESK_TIMEZONE) and once at
 * start, so a slot missed while the bot was down is posted as soon as it is back. The tick is only a
 * wake-up: the digests table says what is done, so ticks that come twice or not at all change nothing.
 */
export function startDigestSchedule(options: DigestScheduleOptions): { digests: Digests; schedule: WakeSchedule } {
  const { channels, log, onQueued } = options;
  const digests = createDigests({
    ...options,
    channels: () => channels.list(),
    // Stryker disable next-line OptionalChaining: only a stored channel has a digest, and digestSince is asked for channels with one
    digestSince: (name) => channels.stored(name)?.digestSince ?? null,
    onQueued: () => onQueued(),
  });
  const tick = () => {
    try {
      digests.runDue();
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'digest tick failed');
    }
  };
  const schedule = startWakeSchedule(EVERY_MINUTE, options.timezone, tick);
  tick();
  return { digests, schedule };
}
