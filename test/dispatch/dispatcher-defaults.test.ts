import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher, type DispatcherOptions } from '../../src/dispatch/dispatcher.js';
import { settle } from '../fakes/fake-clock.js';
import { dispatchParts } from '../helpers/dispatch-parts.js';

/**
 * What the dispatcher does with the options main.ts leaves out: the read-back schedule after a send,
 * the retry back-off, the stop grace period; and what it logs at each turn (the operator's only view).
 */
function setup(over: Partial<DispatcherOptions> = {}) {
  const { clock, queue, channel, log, entries } = dispatchParts();
  const dispatcher = createDispatcher({
    queue, channel, clock, log, minGapMs: 0, maxAttempts: 3, sendTimeoutMs: 30_000,
    render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
    ...over,
  });
  const run = async (ms = 0) => {
    await settle();
    await clock.advanceByTimers(ms, 250);
    await dispatcher.idle();
    await settle();
  };
  const enqueue = (n: number) => {
    queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking' }, clock.now());
    dispatcher.wake('enqueue');
  };
  return { clock, queue, channel, dispatcher, entries, run, enqueue };
}

describe('dispatcher defaults', () => {
  it('reads the channel back right after a send, then 1 s and 3 s later, before giving up on the attempt', async () => {
    const t = setup();
    const reads: number[] = [];
    const find = t.channel.findPost.bind(t.channel);
    let answerFrom = 3; // found on the third read
    t.channel.findPost = async (post) => {
      reads.push(t.clock.now());
      return reads.length >= answerFrom ? find(post) : null;
    };
    t.dispatcher.start();
    const start = t.clock.now();
    t.enqueue(1);
    await t.run(10_000);
    expect(reads).toEqual([start, start + 1_000, start + 4_000]);
    expect(t.queue.get(1)?.status).toBe('posted');

    // Never found: three reads, then the attempt fails as not on the channel.
    reads.length = 0;
    answerFrom = Number.POSITIVE_INFINITY;
    t.channel.nextSends.push('lost');
    const second = t.clock.now();
    t.enqueue(2);
    await t.run(10_000);
    expect(reads).toEqual([second, second + 1_000, second + 4_000]);
    expect(t.queue.deliveriesOf(2)[0]).toMatchObject({ status: 'failed', error: 'the channel accepted the post but it was not found when reading the channel back' });
  });

  it('retries after 15 to 30 s the first time (30 s back-off with jitter), and logs when', async () => {
    const t = setup();
    t.dispatcher.start();
    t.channel.nextSends.push('throw');
    const start = t.clock.now();
    t.enqueue(1);
    await t.run();
    const retryAt = t.queue.get(1)!.nextAttemptAt;
    expect(retryAt - start).toBeGreaterThanOrEqual(15_000);
    expect(retryAt - start).toBeLessThanOrEqual(30_000);
    expect(t.entries).toContainEqual({
      level: 'warn',
      msg: 'attempt failed; will retry',
      obj: expect.objectContaining({ articleId: 1, attempt: 1, error: 'send exploded', retryAt: new Date(retryAt).toISOString() }),
    });
    expect(t.dispatcher.status().nextWakeAt).toBe(retryAt);
    await t.run(retryAt - t.clock.now());
    expect(t.queue.get(1)?.status).toBe('posted');
    expect(t.entries).toContainEqual({ level: 'info', msg: 'posted', obj: expect.objectContaining({ articleId: 1, messageId: 'fake-1', latencyMs: retryAt - start }) });
  });

  it('stop() waits 10 s for a post in flight, then leaves it open for the next start', async () => {
    const t = setup();
    t.dispatcher.start();
    t.channel.nextSends.push('hang');
    t.enqueue(1);
    await settle(); // not run(): idle() would wait for the hanging send
    expect(t.dispatcher.status().inFlight).toMatchObject({ articleId: 1 });
    let result: { abandoned: boolean } | null = null;
    void t.dispatcher.stop().then((r) => (result = r));
    await settle();
    t.clock.advance(9_999);
    await settle();
    expect(result).toBeNull();
    t.clock.advance(1);
    await settle();
    expect(result).toEqual({ abandoned: true });
    expect(t.queue.deliveriesOf(1)[0]?.status).toBe('sending');
  });

  it('stop() with nothing running returns at once, and no wake-up after it starts anything', async () => {
    const t = setup();
    expect(await t.dispatcher.stop()).toEqual({ abandoned: false });
    t.enqueue(1);
    t.dispatcher.start();
    t.dispatcher.release(t.clock.now());
    await t.run(60_000);
    expect(t.channel.sendCalls).toEqual([]);
  });

  it('logs an unpostable article as a warning with the reason, and a final failure as an error', async () => {
    const t = setup({
      maxAttempts: 1,
      render: (a) => {
        if (a.id === 1) throw new Error('too long for a post');
        return a.headline;
      },
    });
    t.dispatcher.start();
    t.enqueue(1);
    await t.run();
    expect(t.entries).toContainEqual({ level: 'warn', msg: 'article cannot be posted; marked failed', obj: { articleId: 1, channel: 'main', error: 'cannot be posted: too long for a post' } });
    t.channel.nextSends.push('throw');
    t.enqueue(2);
    await t.run();
    expect(t.entries).toContainEqual({ level: 'error', msg: 'article failed', obj: expect.objectContaining({ articleId: 2, error: 'send exploded (gave up after 1 attempts)' }) });
  });

  it('a content refusal (not retryable) fails at once without the attempts note', async () => {
    const t = setup();
    t.dispatcher.start();
    const { ChannelError } = await import('../../src/channel/channel.js');
    t.channel.send = async () => {
      throw new ChannelError('WhatsApp refused this content', false);
    };
    t.enqueue(1);
    await t.run();
    expect(t.queue.get(1)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'WhatsApp refused this content' });
  });

  it('status() reports pause, the last attempt and the schedule release', async () => {
    let paused = true;
    const t = setup({ isPaused: () => paused });
    t.dispatcher.start();
    t.enqueue(1);
    await t.run();
    const start = t.clock.now();
    expect(t.dispatcher.status()).toEqual({ paused: true, inFlight: null, lastAttemptAt: null, nextWakeAt: null, releasedThrough: start, waiting: null, waitingByChannel: {} });
    paused = false;
    t.dispatcher.wake('resume');
    await t.run();
    t.dispatcher.release(start + 5_000);
    t.dispatcher.release(start + 1_000); // an older tick never moves the release back
    await t.run();
    expect(t.dispatcher.status()).toMatchObject({ paused: false, lastAttemptAt: start, releasedThrough: start + 5_000 });
  });
});
