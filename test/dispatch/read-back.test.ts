import { describe, expect, it } from 'vitest';
import type { ConfirmedPost, OutgoingPost } from '../../src/channel/channel.js';
import { createReadBack } from '../../src/dispatch/read-back.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';

const POST: OutgoingPost = { articleId: 1, channel: 'main', text: 'Quake hits Sabah' };
const FOUND: ConfirmedPost = { messageId: 'wamid-1', postedAt: 0 };

describe('read-back', () => {
  it('a read-back that hangs fails after its timeout, naming the step', async () => {
    const clock = createFakeClock();
    const { readBack } = createReadBack({ channel: { findPost: () => new Promise<ConfirmedPost | null>(() => {}) }, clock, timeoutMs: 20_000 });
    const result = readBack(POST).then(
      () => 'resolved',
      (err: Error) => err.message,
    );
    await settle();
    clock.advance(20_000);
    expect(await result).toBe('reading the channel back did not finish within 20 s');
  });

  it('confirm looks at each of its delays until the post is found, and stops looking then', async () => {
    const clock = createFakeClock();
    const reads: number[] = [];
    const start = clock.now();
    const { confirm } = createReadBack({
      channel: {
        findPost: async () => {
          reads.push(clock.now() - start);
          return reads.length === 2 ? FOUND : null;
        },
      },
      clock,
      timeoutMs: 20_000,
      confirmDelaysMs: [0, 500, 2_000],
    });
    const result = confirm(POST);
    await clock.advanceAsync(5_000);
    expect(await result).toEqual(FOUND);
    expect(reads).toEqual([0, 500]);
  });
});
