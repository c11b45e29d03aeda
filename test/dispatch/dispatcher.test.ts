import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher, type DispatcherOptions } from '../../src/dispatch/dispatcher.js';
import { settle, runUntilIdle } from '../fakes/fake-clock.js';
import { dispatchParts } from '../helpers/dispatch-parts.js';

const MIN = 60_000;

function setup(over: Partial<DispatcherOptions> = {}, channelState?: 'ready' | 'starting') {
  const { clock, db, queue, channel, log, entries } = dispatchParts({ state: channelState });
  const posted: Article[] = [];
  const pause = { paused: false };
  const failed: { article: Article; error: string }[] = [];
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock,
    log,
    render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
    minGapMs: 2 * MIN,
    maxAttempts: 3,
    sendTimeoutMs: 30_000,
    confirmDelaysMs: [0, 1_000],
    retryDelay: (n) => n * MIN,
    isPaused: () => pause.paused,
    events: { posted: (a) => posted.push(a), failed: (article, error) => failed.push({ article, error }) },
    ...over,
  });
  const enqueue = (n: number, extra: Record<string, unknown> = {}) => {
    const { article } = queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, ...extra }, clock.now());
    dispatcher.wake('enqueue');
    return article;
  };
  const run = (ms = 0) => runUntilIdle(clock, dispatcher, ms);
  return { clock, db, queue, channel, dispatcher, log, entries, posted, failed, enqueue, run, pause };
}

describe('dispatcher', () => {
  it('posts a breaking article as soon as it is enqueued, confirmed and logged as posted', async () => {
    const t = setup();
    t.dispatcher.start();
    const article = t.enqueue(1, { priority: 'breaking' });
    await t.run();
    expect(t.channel.posted.map((p) => p.articleId)).toEqual([article.id]);
    expect(t.channel.posted[0]!.text).toContain('*BREAKING: Story 1*');
    expect(t.queue.get(article.id)).toMatchObject({ status: 'posted', attempts: 1 });
    expect(t.queue.deliveriesOf(article.id)).toEqual([expect.objectContaining({ status: 'posted', messageId: 'fake-1', channel: 'main' })]);
    expect(t.posted.map((a) => a.id)).toEqual([article.id]);
  });

  it('keeps at least the minimum gap between posts', async () => {
    const t = setup();
    t.dispatcher.start();
    for (let n = 1; n <= 3; n += 1) t.enqueue(n, { priority: 'breaking' });
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
    await t.run(2 * MIN - 1000);
    expect(t.channel.posted).toHaveLength(1);
    await t.run(1000);
    expect(t.channel.posted).toHaveLength(2);
    await t.run(2 * MIN);
    const times = t.channel.posted.map((p) => p.at);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2 * MIN);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2 * MIN);
  });

  it('posts breaking articles before normal ones that waited longer', async () => {
    const t = setup({ minGapMs: 0 });
    t.pause.paused = true;
    t.enqueue(1);
    t.enqueue(2);
    t.enqueue(3, { priority: 'breaking' });
    t.pause.paused = false;
    t.dispatcher.wake('resumed');
    await t.run();
    // Normal articles created after the start's release wait for a tick; release them.
    t.dispatcher.release(t.clock.now());
    await t.run();
    expect(t.channel.posted.map((p) => p.articleId)).toEqual([3, 1, 2]);
  });

  it('waits for a future publish time and posts then without a tick', async () => {
    const t = setup();
    t.dispatcher.start();
    const at = t.clock.now() + 10 * MIN;
    t.enqueue(1, { publishAt: at });
    await t.run(10 * MIN - 1000);
    expect(t.channel.posted).toHaveLength(0);
    await t.run(1000);
    expect(t.channel.posted.map((p) => p.at)).toEqual([at]);
  });

  it('a missed tick delays a normal article to the next tick; a doubled tick posts nothing twice', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.clock.advance(1000);
    t.enqueue(1);
    t.enqueue(2);
    await t.run(5 * MIN); // no tick: the schedule "missed"
    expect(t.channel.posted).toHaveLength(0);
    t.dispatcher.release(t.clock.now());
    t.dispatcher.release(t.clock.now()); // doubled
    t.dispatcher.release(t.clock.now() - 1); // late duplicate
    await t.run();
    t.dispatcher.release(t.clock.now());
    await t.run(MIN);
    expect(t.channel.posted.map((p) => p.articleId)).toEqual([1, 2]);
    const counts = t.db.prepare(`SELECT article_id, COUNT(*) AS n FROM deliveries GROUP BY article_id`).all();
    expect(counts).toEqual([
      { article_id: 1, n: 1 },
      { article_id: 2, n: 1 },
    ]);
  });

  it('does not post while the channel is not ready, and posts once it is', async () => {
    const t = setup({}, 'starting');
    t.dispatcher.start();
    t.enqueue(1, { priority: 'breaking' });
    await t.run(MIN);
    expect(t.channel.sendCalls).toHaveLength(0);
    expect(t.queue.get(1)?.status).toBe('queued');
    t.channel.setState('ready');
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
  });

  it('does not post while paused; the queue keeps its articles', async () => {
    const t = setup();
    t.dispatcher.start();
    t.pause.paused = true;
    t.enqueue(1, { priority: 'breaking' });
    await t.run(MIN);
    expect(t.channel.sendCalls).toHaveLength(0);
    expect(t.dispatcher.status().paused).toBe(true);
    t.pause.paused = false;
    t.dispatcher.wake('resumed');
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
  });

  it('retries a send that throws after the back-off and records every attempt', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.channel.nextSends.push('throw');
    t.enqueue(1, { priority: 'breaking' });
    await t.run();
    expect(t.queue.get(1)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'send exploded' });
    await t.run(MIN);
    expect(t.queue.get(1)).toMatchObject({ status: 'posted', attempts: 2 });
    expect(t.queue.deliveriesOf(1).map((d) => [d.status, d.error])).toEqual([
      ['failed', 'send exploded'],
      ['posted', null],
    ]);
  });

  it('does not count a post as posted until the read-back finds it', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.channel.nextSends.push('lost');
    t.enqueue(1, { priority: 'breaking' });
    await t.run(5_000);
    expect(t.queue.deliveriesOf(1)[0]).toMatchObject({
      status: 'failed',
      messageId: 'fake-1',
      error: expect.stringContaining('not found when reading the channel back'),
    });
    expect(t.queue.get(1)?.status).toBe('queued');
    await t.run(MIN);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('fails an article after the last attempt and reports it once', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.channel.nextSends.push('throw', 'throw', 'throw');
    t.enqueue(1, { priority: 'breaking' });
    await t.run(10 * MIN);
    expect(t.queue.get(1)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'send exploded (gave up after 3 attempts)' });
    expect(t.failed).toEqual([{ article: expect.objectContaining({ id: 1 }), error: 'send exploded (gave up after 3 attempts)' }]);
    expect(t.entries.some((e) => e.level === 'error' && e.msg === 'article failed')).toBe(true);
  });

  it.each([
    ['retry <id>', (t: ReturnType<typeof setup>, id: number) => t.queue.retry(id, t.clock.now())],
    ['queueing the same link again', (t: ReturnType<typeof setup>) => t.queue.enqueue({ headline: 'Story 1', url: 'https://news.example.com/1', priority: 'breaking' }, t.clock.now())],
  ])('after %s, a failed post that landed late is found on the channel, not sent twice', async (_how, requeue) => {
    const t = setup({ minGapMs: 0, maxAttempts: 1 });
    t.dispatcher.start();
    t.channel.nextSends.push('lost');
    const article = t.enqueue(1, { priority: 'breaking' });
    await t.run(10_000);
    expect(t.queue.get(article.id)?.status).toBe('failed');
    // The lost copy shows up on the channel after all.
    const text = t.channel.sendCalls[0]!.post.text;
    t.channel.posted.push({ articleId: article.id, text, messageId: 'late-1', at: t.clock.now() });
    requeue(t, article.id);
    t.dispatcher.wake('enqueue');
    await t.run(10_000);
    expect(t.channel.sendCalls).toHaveLength(1);
    expect(t.queue.get(article.id)).toMatchObject({ status: 'posted', attempts: 1 });
    expect(t.queue.deliveriesOf(article.id).map((d) => [d.status, d.messageId])).toEqual([
      ['failed', 'fake-1'],
      ['posted', 'late-1'],
    ]);
  });

  it('times out a send that hangs and retries it', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.channel.nextSends.push('hang');
    t.enqueue(1, { priority: 'breaking' });
    await t.run(30_000);
    expect(t.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed', error: 'sending the post did not finish within 30 s' });
    await t.run(MIN);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('on start, records an unfinished attempt found on the channel as posted without sending again', async () => {
    const t = setup();
    t.queue.enqueue({ headline: 'Story 1', url: 'https://news.example.com/1', priority: 'breaking' }, t.clock.now());
    const claim = t.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => `text of ${a.id}`);
    if (claim?.kind !== 'claimed') throw new Error('expected a claim');
    // The crash happened after WhatsApp took the post.
    t.channel.posted.push({ articleId: 1, text: 'text of 1', messageId: 'wamid-crash', at: t.clock.now() });
    t.dispatcher.start();
    await t.run();
    expect(t.channel.sendCalls).toHaveLength(0);
    expect(t.queue.get(1)?.status).toBe('posted');
    expect(t.queue.deliveriesOf(1)).toEqual([expect.objectContaining({ status: 'posted', messageId: 'wamid-crash' })]);
  });

  it('on start, queues again an unfinished attempt the channel does not have, and posts it once', async () => {
    const t = setup({ minGapMs: 0 });
    t.queue.enqueue({ headline: 'Story 1', url: 'https://news.example.com/1', priority: 'breaking' }, t.clock.now());
    t.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => `text of ${a.id}`);
    t.dispatcher.start();
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
    expect(t.queue.deliveriesOf(1).map((d) => d.status)).toEqual(['abandoned', 'posted']);
    expect(t.queue.get(1)).toMatchObject({ status: 'posted', attempts: 1 });
  });

  it('marks content that can never be posted as failed at once, without a send', async () => {
    const t = setup();
    t.dispatcher.start();
    t.queue.enqueue({ headline: 'Ok', url: 'https://news.example.com/1', priority: 'breaking' }, t.clock.now());
    t.db.prepare(`UPDATE articles SET headline = '   '`).run(); // bypasses validation, as a bad migration could
    t.dispatcher.wake('test');
    await t.run();
    expect(t.channel.sendCalls).toHaveLength(0);
    expect(t.queue.get(1)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('headline is empty') });
    expect(t.failed).toHaveLength(1);
  });

  it('survives a store error inside the loop and tries again later', async () => {
    const t = setup({ minGapMs: 0 });
    t.dispatcher.start();
    t.enqueue(1, { priority: 'breaking' });
    const original = t.queue.claimNext;
    let calls = 0;
    t.queue.claimNext = (...args) => {
      calls += 1;
      if (calls === 1) throw new Error('database is locked');
      return original(...args);
    };
    t.dispatcher.wake('test');
    await t.run();
    expect(t.entries.some((e) => e.level === 'error' && e.msg.startsWith('posting loop failed'))).toBe(true);
    await t.run(30_000);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('stop() waits for the post in flight', async () => {
    const t = setup();
    t.dispatcher.start();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const originalSend = t.channel.send.bind(t.channel);
    t.channel.send = async (post) => {
      await gate;
      return originalSend(post);
    };
    t.enqueue(1, { priority: 'breaking' });
    await settle();
    expect(t.dispatcher.status().inFlight).toMatchObject({ articleId: 1 });
    const stopped = t.dispatcher.stop();
    release();
    expect(await stopped).toEqual({ abandoned: false });
    expect(t.queue.get(1)?.status).toBe('posted');
  });
});
