import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatcher, type DeliveryChannel } from '../../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, runUntilIdle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIN = 60_000;

/** Two channels: `main` takes everything, `sport` the sport category; each with its own pacing. */
function setup(sport: Partial<DeliveryChannel['pacing']> & { paused?: boolean } = {}, file = path.join(tempDir(), 'newsdesk.db'), clock = createFakeClock()) {
  const db = openDatabase(file);
  const queue = createArticleQueue(db, {
    route: (a, explicit) => (explicit?.length ? [...explicit] : a.category === 'sport' ? ['main', 'sport'] : ['main']),
  });
  const channel = createFakeChannel(clock);
  const { log } = createMemoryLogger();
  const specs: DeliveryChannel[] = [
    { name: 'main', paused: false, pacing: { minGapMs: 10 * MIN, maxPerHour: 0, quietHours: null } },
    {
      name: 'sport',
      paused: sport.paused ?? false,
      pacing: { minGapMs: sport.minGapMs ?? 10 * MIN, maxPerHour: sport.maxPerHour ?? 0, quietHours: sport.quietHours ?? null },
    },
  ];
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock,
    log,
    render: (a, ch) => `${ch}: ${a.headline}`,
    minGapMs: 10 * MIN,
    channels: () => specs,
    maxAttempts: 3,
    sendTimeoutMs: 30_000,
    confirmDelaysMs: [0],
  });
  let n = 0;
  const enqueue = (extra: Record<string, unknown> = {}, channels?: string[]) => {
    n += 1;
    const { article } = queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}-${Math.random()}`, priority: 'breaking', ...extra }, clock.now(), { channels });
    dispatcher.wake('enqueue');
    return article;
  };
  const run = (ms = 0) => runUntilIdle(clock, dispatcher, ms);
  /** What went out, as `channel: headline` (the render puts the channel first). */
  const out = () => channel.posted.map((p) => p.text);
  return { db, queue, channel, dispatcher, clock, specs, enqueue, run, out };
}

describe('pacing per channel', () => {
  it('an article routed to two channels goes out on both at once: one channel\'s gap does not hold the other', async () => {
    const t = setup();
    t.dispatcher.start();
    t.enqueue({ category: 'sport' });
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1']);
    // The posts land on their own channels.
    expect(t.channel.posted.map((p) => t.channel.channelOf(p.messageId))).toEqual(['main', 'sport']);
    expect(t.queue.channelsOf(1).map((c) => [c.channel, c.status])).toEqual([['main', 'posted'], ['sport', 'posted']]);
  });

  it('a breaking post on one channel is not held by another channel\'s gap', async () => {
    const t = setup();
    t.dispatcher.start();
    t.enqueue({}, ['main']);
    await t.run();
    t.enqueue({}, ['main']); // main's gap now runs for 10 minutes
    t.enqueue({}, ['sport']);
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 3']);
    expect(t.dispatcher.status().waitingByChannel['main']).toMatchObject({ reason: 'minimum gap between posts' });
    await t.run(10 * MIN);
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 3', 'main: Story 2']);
  });

  it('each channel keeps its own gap', async () => {
    const t = setup({ minGapMs: 30 * MIN });
    t.dispatcher.start();
    t.enqueue({ category: 'sport' });
    t.enqueue({ category: 'sport' });
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1']);
    await t.run(10 * MIN);
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1', 'main: Story 2']);
    await t.run(20 * MIN);
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1', 'main: Story 2', 'sport: Story 2']);
  });

  it('the hourly cap counts a channel\'s own posts', async () => {
    const t = setup({ minGapMs: 0, maxPerHour: 1 });
    t.specs[0]!.pacing.minGapMs = 0;
    t.dispatcher.start();
    t.enqueue({ category: 'sport' });
    t.enqueue({ category: 'sport' });
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1', 'main: Story 2']);
    expect(t.dispatcher.status().waitingByChannel['sport']?.reason).toBe('hourly cap of 1 posts reached');
    await t.run(60 * MIN);
    expect(t.out().at(-1)).toBe('sport: Story 2');
  });

  it('quiet hours on one channel hold its normal posts only; its breaking posts go (breakingInQuietHours)', async () => {
    const t = setup({ quietHours: { startMinute: 0, endMinute: 23 * 60 + 59 } });
    t.dispatcher.start();
    t.enqueue({ category: 'sport', priority: 'normal', publishAt: t.clock.now() });
    await t.run();
    expect(t.out()).toEqual(['main: Story 1']);
    expect(t.dispatcher.status().waitingByChannel['sport']).toMatchObject({ reason: 'quiet hours', breakingMayGo: true });
    t.enqueue({}, ['sport']);
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 2']);
  });

  it('a paused channel holds only its own posts, and posts them once resumed', async () => {
    const t = setup({ paused: true });
    t.dispatcher.start();
    t.enqueue({ category: 'sport' });
    await t.run();
    expect(t.out()).toEqual(['main: Story 1']);
    expect(t.queue.get(1)?.status).toBe('queued'); // still waiting on sport
    t.specs[1]!.paused = false;
    t.dispatcher.wake('resume');
    await t.run();
    expect(t.out()).toEqual(['main: Story 1', 'sport: Story 1']);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('a restarted dispatcher keeps each channel\'s gap from the delivery log', async () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const clock = createFakeClock();
    const first = setup({}, file, clock);
    first.dispatcher.start();
    first.enqueue({}, ['sport']);
    await first.run();
    await first.dispatcher.stop();
    await first.run(MIN);
    const second = setup({}, file, clock);
    second.dispatcher.start();
    second.enqueue({}, ['sport']);
    second.enqueue({}, ['main']);
    await second.run();
    // main never posted: it goes at once; sport's gap from before the restart still holds.
    expect(second.out()).toEqual(['main: Story 2']);
    await second.run(9 * MIN);
    expect(second.out()).toEqual(['main: Story 2', 'sport: Story 1']);
  });
});
