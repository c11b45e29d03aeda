import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { ChannelError, type PostImage } from '../../src/channel/channel.js';
import { createDispatcher, type DispatcherOptions } from '../../src/dispatch/dispatcher.js';
import { parseQuietHours } from '../../src/dispatch/pacing.js';
import type { Delivery } from '../../src/store/rows.js';
import { settle, runUntilIdle } from '../fakes/fake-clock.js';
import { dispatchParts } from '../helpers/dispatch-parts.js';

/**
 * The posting loop's own machinery: its wake-ups and timer, its error boundary (busy, unwritable and
 * other database errors), its events and their listeners, reconciling after a crash, and what it logs.
 */
const MIN = 60_000;
const IMAGE: PostImage = { url: 'https://cdn.example.com/quake.jpg', mimetype: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), filename: 'image.jpg' };

function setup(over: Partial<DispatcherOptions> = {}) {
  const { clock, db, queue, channel, log, entries } = dispatchParts();
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock,
    log,
    render: (a, ch) => `${ch}: ${a.headline}`,
    minGapMs: 0,
    maxAttempts: 3,
    sendTimeoutMs: 30_000,
    confirmDelaysMs: [0],
    retryDelay: (n) => n * MIN,
    ...over,
  });
  let n = 0;
  const enqueue = (extra: Record<string, unknown> = {}, channels?: string[]) => {
    n += 1;
    const { article } = queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking', ...extra }, clock.now(), { channels });
    dispatcher.wake('enqueue');
    return article;
  };
  const run = (ms = 0) => runUntilIdle(clock, dispatcher, ms);
  const logged = (msg: string) => entries.filter((e) => e.msg === msg);
  return { clock, db, queue, channel, dispatcher, entries, logged, enqueue, run };
}

const dbError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('dispatcher: waking', () => {
  it('logs each wake-up with its reason; a status other than ready wakes nothing, and nothing wakes it after stop()', async () => {
    const t = setup();
    const reasons = () => t.logged('dispatcher woken').map((e) => e.obj.reason);
    t.dispatcher.start();
    await t.run();
    t.dispatcher.release(t.clock.now());
    await t.run();
    t.channel.setState('disconnected');
    await t.run();
    t.channel.setState('ready');
    await t.run();
    t.enqueue({ publishAt: t.clock.now() + MIN });
    await t.run(MIN);
    expect(t.channel.posted).toHaveLength(1);
    expect(reasons()).toEqual(['start', 'schedule tick', 'channel ready', 'enqueue', 'timer']);
    expect(t.logged('dispatcher woken').every((e) => e.level === 'trace')).toBe(true);
    await t.dispatcher.stop();
    t.dispatcher.wake('after stop');
    t.dispatcher.release(t.clock.now());
    await t.run();
    expect(reasons()).toHaveLength(5);
  });

  it('status without an isPaused option: not paused; after a post nothing in flight and no wake-up armed', async () => {
    const t = setup();
    t.dispatcher.start();
    t.enqueue();
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
    const now = t.clock.now();
    expect(t.dispatcher.status()).toEqual({ paused: false, inFlight: null, lastAttemptAt: now, nextWakeAt: null, releasedThrough: now, waiting: null, waitingByChannel: {} });
  });

  it('keeps the earliest wake-up: an earlier publish time brings it forward, a later gap end does not push a retry back', async () => {
    const t = setup();
    t.dispatcher.start();
    const t0 = t.clock.now();
    t.enqueue({ publishAt: t0 + 10 * MIN });
    await t.run();
    expect(t.dispatcher.status().nextWakeAt).toBe(t0 + 10 * MIN);
    t.enqueue({ publishAt: t0 + 5 * MIN });
    await t.run();
    expect(t.dispatcher.status().nextWakeAt).toBe(t0 + 5 * MIN);
    await t.run(5 * MIN);
    expect(t.channel.posted.map((p) => p.at)).toEqual([t0 + 5 * MIN]);

    // A retry in 1 min, then the 2-minute gap: the loop still looks at the retry time first.
    const u = setup({ minGapMs: 2 * MIN });
    u.dispatcher.start();
    u.channel.nextSends.push('throw');
    const u0 = u.clock.now();
    u.enqueue();
    await u.run();
    expect(u.queue.get(1)?.nextAttemptAt).toBe(u0 + MIN);
    expect(u.dispatcher.status().nextWakeAt).toBe(u0 + MIN);
  });

  it('a retry due at once but held by the gap: the next look is at the gap end, not a wake-up already past', async () => {
    const t = setup({ minGapMs: 2 * MIN, retryDelay: () => 0 });
    t.dispatcher.start();
    t.channel.nextSends.push('throw');
    const t0 = t.clock.now();
    t.enqueue();
    await t.run();
    expect(t.queue.get(1)).toMatchObject({ status: 'queued', nextAttemptAt: t0 });
    expect(t.dispatcher.status().nextWakeAt).toBe(t0 + 2 * MIN);
    await t.run(2 * MIN);
    expect(t.channel.posted.map((p) => p.at)).toEqual([t0 + 2 * MIN]);
  });

  it('idle() resolves only once the post in flight is finished', async () => {
    const t = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const send = t.channel.send.bind(t.channel);
    t.channel.send = async (post) => {
      await gate;
      return send(post);
    };
    t.dispatcher.start();
    t.enqueue();
    await settle();
    let idle = false;
    void t.dispatcher.idle().then(() => (idle = true));
    await settle();
    expect(idle).toBe(false);
    release();
    await settle();
    expect(idle).toBe(true);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('an attempt that ends after stop() arms no wake-up', async () => {
    const t = setup();
    t.dispatcher.start();
    t.channel.nextSends.push('hang');
    t.enqueue();
    await settle();
    void t.dispatcher.stop();
    await t.clock.advanceAsync(30_000, 1_000); // the send times out: the attempt fails and would retry
    expect(t.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed' });
    expect(t.dispatcher.status().nextWakeAt).toBeNull();
  });
});

describe('dispatcher: pacing details', () => {
  it('jitter varies only a real gap, the one of the channel that posted', async () => {
    const t = setup({
      pacing: { jitterMs: MIN },
      random: () => 0.5,
      channels: () => [
        { name: 'main', paused: false, pacing: { minGapMs: 0, maxPerHour: 0, quietHours: null } },
        { name: 'sport', paused: false, pacing: { minGapMs: 10 * MIN, maxPerHour: 0, quietHours: null } },
      ],
    });
    t.dispatcher.start();
    const t0 = t.clock.now();
    t.enqueue({}, ['main']);
    t.enqueue({}, ['main']);
    t.enqueue({}, ['sport']);
    t.enqueue({}, ['sport']);
    await t.run(15 * MIN);
    expect(t.channel.posted.map((p) => [p.text, p.at - t0])).toEqual([
      ['main: Story 1', 0],
      ['main: Story 2', 0],
      ['sport: Story 3', 0],
      ['sport: Story 4', 10 * MIN + 30_000],
    ]);
  });

  it('in quiet hours that let breaking news through, a breaking post held by the gap goes when the gap ends', async () => {
    // The fake clock starts at 12:00 UTC, inside these quiet hours.
    const t = setup({ minGapMs: 10 * MIN, pacing: { quietHours: parseQuietHours('11:00-18:00'), breakingInQuietHours: true } });
    t.dispatcher.start();
    const t0 = t.clock.now();
    t.enqueue();
    t.enqueue();
    await t.run(20 * MIN);
    expect(t.channel.posted.map((p) => p.at - t0)).toEqual([0, 10 * MIN]);
  });

  it('in those quiet hours, a breaking post due later goes at its publish time', async () => {
    const t = setup({ pacing: { quietHours: parseQuietHours('11:00-18:00'), breakingInQuietHours: true } });
    t.dispatcher.start();
    const t0 = t.clock.now();
    t.enqueue({ publishAt: t0 + 5 * MIN });
    await t.run(10 * MIN);
    expect(t.channel.posted.map((p) => p.at - t0)).toEqual([5 * MIN]);
  });
});

describe('dispatcher: the error boundary', () => {
  it('a database locked by another process: looks again after 50 ms, doubling up to 1 s, and starts over after a success', async () => {
    const t = setup();
    const claim = t.queue.claimNext;
    const calls: number[] = [];
    let busy = 7;
    t.queue.claimNext = (...args) => {
      calls.push(t.clock.now());
      if (busy > 0) {
        busy -= 1;
        throw dbError('SQLITE_BUSY', 'database is locked');
      }
      return claim(...args);
    };
    t.enqueue(); // its wake starts the loop (a second wake during the failing pass would run it again at once)
    await t.run(5_000);
    expect(t.channel.posted).toHaveLength(1);
    const gaps = calls.slice(1, 8).map((at, i) => at - calls[i]!);
    expect(gaps).toEqual([50, 100, 200, 400, 800, 1_000, 1_000]);
    expect(t.logged('the database is locked by another process; posting looks again shortly').map((e) => e.obj.retryInMs)).toEqual([50, 100, 200, 400, 800, 1_000, 1_000]);
    busy = 1;
    t.enqueue();
    await t.run(5_000);
    expect(t.logged('the database is locked by another process; posting looks again shortly').at(-1)?.obj.retryInMs).toBe(50);
  });

  it('a database that cannot be written: says so with the code and what to do, and looks again 30 s later', async () => {
    const t = setup();
    const claim = t.queue.claimNext;
    let fail = true;
    t.queue.claimNext = (...args) => {
      if (fail) {
        fail = false;
        throw dbError('SQLITE_FULL', 'database or disk is full');
      }
      return claim(...args);
    };
    t.enqueue(); // its wake starts the loop
    await t.run();
    expect(t.entries.filter((e) => e.level === 'error')).toEqual([
      {
        level: 'error',
        msg: "the database cannot be written (SQLITE_FULL): posting is stopped until it can; free disk space or fix the data folder's permissions. Looking again in 30 s",
        obj: { err: expect.objectContaining({ message: 'database or disk is full' }) },
      },
    ]);
    await t.run(30_000 - 1);
    expect(t.channel.posted).toHaveLength(0);
    await t.run(1);
    expect(t.channel.posted).toHaveLength(1);
  });

  it('any other loop failure is logged with the error and looked at again 30 s later', async () => {
    const t = setup();
    const claim = t.queue.claimNext;
    let fail = true;
    t.queue.claimNext = (...args) => {
      if (fail) {
        fail = false;
        throw new Error('no such table: articles');
      }
      return claim(...args);
    };
    t.enqueue(); // its wake starts the loop
    await t.run();
    expect(t.logged('posting loop failed; will look again in 30 s')).toEqual([
      expect.objectContaining({ level: 'error', obj: { err: expect.objectContaining({ message: 'no such table: articles' }) } }),
    ]);
    await t.run(30_000 - 1);
    expect(t.channel.posted).toHaveLength(0);
    await t.run(1);
    expect(t.channel.posted).toHaveLength(1);
  });

  it('an attempt whose failure could not be recorded is settled against the channel after the pause, then posted', async () => {
    const t = setup();
    const markFailed = t.queue.markFailed;
    let fail = true;
    t.queue.markFailed = (...args) => {
      if (fail) {
        fail = false;
        throw new Error('disk I/O error');
      }
      return markFailed(...args);
    };
    t.channel.nextSends.push('throw');
    t.enqueue(); // its wake starts the loop
    await t.run();
    expect(t.queue.deliveriesOf(1).map((d) => d.status)).toEqual(['sending']);
    await t.run(30_000);
    expect(t.queue.deliveriesOf(1).map((d) => d.status)).toEqual(['abandoned', 'posted']);
    expect(t.channel.posted).toHaveLength(1);
  });
});

describe('dispatcher: events and their listeners', () => {
  /** One unpostable article, one that fails for good, one posted, one posted as text after an image problem. */
  async function everyEvent(over: Partial<DispatcherOptions>) {
    const t = setup({
      maxAttempts: 1,
      render: (a, ch) => {
        if (a.headline === 'Story 1') throw new Error('too long for a post');
        return `${ch}: ${a.headline}`;
      },
      images: { fetchImage: async () => ({ ok: false, problem: 'http-status', detail: 'HTTP 404' }) },
      ...over,
    });
    t.dispatcher.start();
    t.enqueue();
    t.channel.nextSends.push('throw');
    t.enqueue();
    await t.run();
    t.enqueue();
    t.enqueue({ imageUrl: IMAGE.url });
    await t.run();
    expect([1, 2, 3, 4].map((id) => t.queue.get(id)?.status)).toEqual(['failed', 'failed', 'posted', 'posted']);
    return t;
  }

  it('without listeners (no events, or none of them) and without noteDetail, every outcome still goes through', async () => {
    for (const over of [{ events: undefined }, { events: {} }]) {
      const t = await everyEvent(over);
      expect(t.logged('event listener failed')).toEqual([]);
    }
  });

  it('a throwing listener is logged with its event and never reaches the posting path', async () => {
    const boom = () => {
      throw new Error('listener exploded');
    };
    const t = await everyEvent({ events: { posted: boom, failed: boom, imageFallback: boom }, noteDetail: () => {} });
    expect(t.logged('event listener failed').map((e) => [e.level, e.obj.event, (e.obj.err as { message: string }).message])).toEqual([
      ['error', 'failed', 'listener exploded'],
      ['error', 'failed', 'listener exploded'],
      ['error', 'posted', 'listener exploded'],
      ['error', 'imageFallback', 'listener exploded'],
      ['error', 'posted', 'listener exploded'],
    ]);
  });

  it('listeners get the article and the delivery as recorded: posted with its message id, or failed', async () => {
    const posted: { article: Article; delivery: Delivery }[] = [];
    const failed: Article[] = [];
    const t = setup({ maxAttempts: 2, events: { posted: (article, delivery) => posted.push({ article, delivery }), failed: (article) => failed.push(article) } });
    t.dispatcher.start();
    t.channel.nextSends.push('throw');
    t.enqueue();
    await t.run(MIN);
    expect(posted).toEqual([
      {
        article: expect.objectContaining({ id: 1, status: 'posted' }),
        delivery: expect.objectContaining({ articleId: 1, attempt: 2, status: 'posted', messageId: 'fake-1' }),
      },
    ]);
    t.channel.nextSends.push('throw', 'throw');
    t.enqueue();
    await t.run(5 * MIN);
    expect(failed).toEqual([expect.objectContaining({ id: 2, status: 'failed' })]);
  });
});

describe('dispatcher: waiting copies, reconciling and image steps', () => {
  it('a copy still waiting for the channel: abandoned, not counted, looked at again a minute later', async () => {
    const t = setup({ maxAttempts: 1 });
    const send = t.channel.send.bind(t.channel);
    let first = true;
    t.channel.send = async (post) => {
      if (first) {
        first = false;
        throw new ChannelError('an earlier copy still waits for the server', true, { waiting: true });
      }
      return send(post);
    };
    t.dispatcher.start();
    const t0 = t.clock.now();
    t.enqueue();
    await t.run();
    expect(t.queue.deliveriesOf(1)).toEqual([expect.objectContaining({ status: 'abandoned', error: 'an earlier copy still waits for the server' })]);
    expect(t.queue.get(1)).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: t0 + MIN });
    expect(t.logged('an earlier copy is still waiting for the channel; not sending again yet')).toEqual([
      expect.objectContaining({ level: 'info', obj: expect.objectContaining({ articleId: 1, reason: 'an earlier copy still waits for the server', retryAt: new Date(t0 + MIN).toISOString() }) }),
    ]);
    expect(t.dispatcher.status().nextWakeAt).toBe(t0 + MIN);
    await t.run(MIN);
    expect(t.queue.get(1)).toMatchObject({ status: 'posted', attempts: 1 });
  });

  it('reconciling after a crash: found, not found and stranded attempts are each logged and settled', async () => {
    const t = setup();
    for (let n = 1; n <= 3; n += 1) t.queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking' }, t.clock.now());
    for (let n = 1; n <= 3; n += 1) t.queue.claimNext(t.clock.now(), t.clock.now(), 'main', (a) => `text of ${a.id}`);
    t.channel.posted.push({ articleId: 1, text: 'text of 1', messageId: 'wamid-crash', at: t.clock.now() });
    t.db.prepare(`UPDATE deliveries SET status = 'failed' WHERE article_id = 3`).run(); // an attempt row lost
    t.dispatcher.start();
    await t.run();
    expect(t.logged('reconciled: found on the channel')).toEqual([expect.objectContaining({ level: 'info', obj: expect.objectContaining({ articleId: 1, messageId: 'wamid-crash' }) })]);
    expect(t.queue.deliveriesOf(2)[0]).toMatchObject({ status: 'abandoned', error: 'interrupted before it was confirmed; not on the channel, queued again' });
    expect(t.logged('reconciled: not on the channel, queued again')).toEqual([{ level: 'warn', msg: 'reconciled: not on the channel, queued again', obj: { articleId: 2, deliveryId: 2 } }]);
    expect(t.logged('article was stuck in posting; queued again')).toEqual([{ level: 'warn', msg: 'article was stuck in posting; queued again', obj: { articleId: 3, channel: 'main' } }]);
    expect([1, 2, 3].map((id) => t.queue.get(id)?.status)).toEqual(['posted', 'posted', 'posted']);
  });

  it('an earlier attempt found on the channel is logged as found from an earlier attempt', async () => {
    const t = setup({ maxAttempts: 1 });
    t.dispatcher.start();
    t.channel.nextSends.push('lost');
    t.enqueue();
    await t.run();
    t.channel.posted.push({ articleId: 1, text: 'main: Story 1', messageId: 'late-1', at: t.clock.now() });
    t.queue.retry(1, t.clock.now());
    t.dispatcher.wake('retry');
    await t.run();
    expect(t.logged('found from an earlier attempt')).toEqual([expect.objectContaining({ level: 'info', obj: expect.objectContaining({ articleId: 1, messageId: 'late-1' }) })]);
  });

  it('image posts: a hung image send or text send times out naming which, and the last message id is kept', async () => {
    const details: string[] = [];
    const t = setup({ maxAttempts: 1, images: { fetchImage: async () => ({ ok: true, image: IMAGE }) }, noteDetail: (_id, detail) => details.push(detail) });
    t.dispatcher.start();
    t.channel.nextSends.push('hang');
    t.enqueue({ imageUrl: IMAGE.url });
    await t.run(40_000);
    expect(details).toEqual(['image fallback: the image send failed (sending the image post did not finish within 30 s) and the post is not on the channel']);
    expect(t.queue.get(1)?.status).toBe('posted');

    const u = setup({ images: { fetchImage: async () => ({ ok: false, problem: 'http-status', detail: 'HTTP 404' }) } });
    u.dispatcher.start();
    u.channel.nextSends.push('hang');
    u.enqueue({ imageUrl: IMAGE.url });
    await u.run(40_000);
    expect(u.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed', error: 'sending the post did not finish within 30 s' });

    const v = setup({ maxAttempts: 1, images: { fetchImage: async () => ({ ok: true, image: IMAGE }) } });
    v.dispatcher.start();
    v.channel.nextSends.push('lost', 'lost');
    v.enqueue({ imageUrl: IMAGE.url });
    await v.run(10_000);
    expect(v.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed', messageId: 'fake-2' });
  });
});
