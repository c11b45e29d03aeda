import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher, type Dispatcher } from '../../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, runUntilIdle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * One database and channel, and a dispatcher that can be "restarted": the old one stops and a new one
 * is built over the same database, as a new process would be. Nothing but the database carries over.
 */
function setup(minGapMs: number, maxPerHour: number) {
  const clock = createFakeClock();
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  const queue = createArticleQueue(db);
  const channel = createFakeChannel(clock);
  const { log } = createMemoryLogger();
  const build = () =>
    createDispatcher({
      queue, channel, clock, log, minGapMs, pacing: { maxPerHour }, maxAttempts: 3, sendTimeoutMs: 30_000, confirmDelaysMs: [0],
      render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
    });
  let dispatcher: Dispatcher = build();
  dispatcher.start();
  const enqueue = (n: number) => {
    queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking' }, clock.now());
    dispatcher.wake('enqueue');
  };
  const run = (ms = 0) => runUntilIdle(clock, dispatcher, ms);
  const restart = async () => {
    await dispatcher.stop();
    dispatcher = build();
    dispatcher.start();
    await run();
  };
  const postedAt = () => channel.posted.map((p) => p.at);
  return { clock, queue, channel, enqueue, run, restart, postedAt, dispatcher: () => dispatcher };
}

describe('pacing across a restart', () => {
  it('keeps the minimum gap after a restart: the last post time comes from the delivery log', async () => {
    const t = setup(10 * MIN, 0);
    t.enqueue(1);
    t.enqueue(2);
    await t.run();
    const first = t.postedAt()[0]!;
    await t.run(MIN);
    await t.restart();
    expect(t.dispatcher().status()).toMatchObject({ lastAttemptAt: first, waiting: { reason: 'minimum gap between posts', until: first + 10 * MIN } });
    await t.run(9 * MIN - 1_000);
    expect(t.postedAt()).toEqual([first]);
    await t.run(1_000);
    expect(t.postedAt()).toEqual([first, first + 10 * MIN]);
  });

  it('keeps the hourly cap after a restart: the hour\'s posts come from the delivery log', async () => {
    const t = setup(MIN, 3);
    for (let n = 1; n <= 5; n += 1) t.enqueue(n);
    await t.run(2 * MIN);
    const [first] = t.postedAt();
    expect(t.postedAt()).toEqual([first, first! + MIN, first! + 2 * MIN]);
    await t.run(10 * MIN);
    expect(t.postedAt()).toHaveLength(3);
    await t.restart();
    expect(t.dispatcher().status().waiting).toMatchObject({ reason: 'hourly cap of 3 posts reached', until: first! + HOUR });
    await t.run(first! + HOUR - t.clock.now() - 1_000);
    expect(t.postedAt()).toHaveLength(3);
    await t.run(1_000);
    expect(t.postedAt()).toEqual([first, first! + MIN, first! + 2 * MIN, first! + HOUR]);
  });

  it('counts only the last hour: posts older than an hour before the restart do not hold it back', async () => {
    const t = setup(MIN, 2);
    t.enqueue(1);
    t.enqueue(2);
    await t.run(MIN);
    expect(t.postedAt()).toHaveLength(2);
    await t.run(HOUR + MIN);
    await t.restart();
    t.enqueue(3);
    await t.run();
    expect(t.postedAt()).toHaveLength(3);
    expect(t.dispatcher().status().waiting).toMatchObject({ reason: 'minimum gap between posts' });
  });
});
