import type { Channel, ConfirmedPost, OutgoingPost } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import { sleep, withTimeout } from './timing.js';

export interface ReadBackOptions {
  channel: Pick<Channel, 'findPost'>;
  clock: Clock;
  /** How long one read-back may take. */
  timeoutMs: number;
  /** Waits between read-backs after a send or an edit: the channel may need a moment to show it. Default 0, 1 s, 3 s. */
  confirmDelaysMs?: readonly number[];
}

/**
 * Reading the channel back, the only proof a post (or an edit) is there: `readBack` looks once,
 * `confirm` looks after each of the confirm delays until it is found. Shared by the dispatcher and the
 * correction worker.
 */
export function createReadBack(options: ReadBackOptions) {
  const { channel, clock } = options;
  const delays = options.confirmDelaysMs ?? [0, 1_000, 3_000];

  const readBack = (post: OutgoingPost): Promise<ConfirmedPost | null> =>
    withTimeout(channel.findPost(post), options.timeoutMs, clock, 'reading the channel back');

  async function confirm(post: OutgoingPost): Promise<ConfirmedPost | null> {
    for (const delay of delays) {
      if (delay > 0) await sleep(delay, clock);
      const found = await readBack(post);
      if (found) return found;
    }
    return null;
  }

  return { readBack, confirm };
}
