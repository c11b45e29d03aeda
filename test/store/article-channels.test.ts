import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const render = (a: { headline: string }, channel: string) => `${channel}: ${a.headline}`;
const story = (n: number, over: Record<string, unknown> = {}) => ({ headline: `Story ${n}`, url: `https://news.example.com/s-${n}`, ...over });
const both = { normal: ['main', 'sport'], breakingOnly: [] };
/** Explicit channels win; otherwise `sport` takes the sport category, `main` everything else. */
const route = (a: { category: string | null }, explicit: readonly string[] | undefined) =>
  explicit && explicit.length > 0 ? [...explicit] : a.category === 'sport' ? ['main', 'sport'] : ['main'];

function setup() {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  return { db, queue: createArticleQueue(db, { defaultChannel: 'main', route }) };
}

describe('migration 010: an existing database keeps working', () => {
  it('gives every existing article a row for the default channel with its state, and renames old deliveries to it', () => {
    const file = path.join(tempDir(), 'old.db');
    const raw = new Database(file);
    for (const m of MIGRATIONS.slice(0, 9)) {
      if (typeof m === 'string') raw.exec(m);
      else m(raw);
    }
    raw.pragma('user_version = 9');
    const insert = raw.prepare(
      `INSERT INTO articles (headline, url, canonical_url, content_hash, priority, publish_at, source, status, attempts, created_at, updated_at, posted_at)
       VALUES (?, ?, ?, ?, 'normal', 1, 'cli', ?, ?, 1, 2, ?)`,
    );
    insert.run('Posted', 'https://x.example/1', 'https://x.example/1', 'h1', 'posted', 1, 5);
    insert.run('Waiting', 'https://x.example/2', 'https://x.example/2', 'h2', 'queued', 0, null);
    raw.prepare(`INSERT INTO deliveries (article_id, attempt, channel, status, text, message_id, started_at, finished_at) VALUES (1, 1, 'outbox', 'posted', 't', 'm-1', 3, 4)`).run();
    raw.close();

    const db = openDatabase(file);
    const queue = createArticleQueue(db, { defaultChannel: 'news' });
    expect(queue.channelsOf(1)).toEqual([expect.objectContaining({ channel: 'news', status: 'posted', attempts: 1, messageId: 'm-1', postedAt: 5 })]);
    expect(queue.channelsOf(2)).toEqual([expect.objectContaining({ channel: 'news', status: 'queued' })]);
    expect(queue.deliveriesOf(1).map((d) => d.channel)).toEqual(['news']);
    // The waiting one is still claimed and posted on the default channel.
    const claim = queue.claimNext(T0, T0, { normal: ['news'], breakingOnly: [] }, render)!;
    expect(claim).toMatchObject({ kind: 'claimed', channel: 'news', article: { id: 2 } });
    // Adopted once: a queue opened under another name later does not move them again.
    expect(createArticleQueue(db, { defaultChannel: 'other' }).channelsOf(1)[0]?.channel).toBe('news');
  });
});

describe('delivery per (article, channel)', () => {
  it('writes the routing rows with the article, and an explicit channel list wins', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    queue.enqueue(story(2), T0, { channels: ['sport'] });
    queue.enqueueMany([story(3, { category: 'sport' }), story(4)], T0);
    const names = (id: number) => queue.channelsOf(id).map((c) => c.channel);
    expect([names(1), names(2), names(3), names(4)]).toEqual([['main', 'sport'], ['sport'], ['main', 'sport'], ['main']]);
  });

  it('a route that throws (unknown channel) writes nothing', () => {
    const { db } = setup();
    const queue = createArticleQueue(db, {
      route: () => {
        throw new Error('no channel named "nope"');
      },
    });
    expect(() => queue.enqueue(story(1), T0, { channels: ['nope'] })).toThrow(/nope/);
    expect(queue.get(1)).toBeUndefined();
  });

  it('each channel has its own attempts, retry and failure; the article status is the aggregate', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    const first = queue.claimNext(T0, T0, both, render)!;
    const second = queue.claimNext(T0, T0, both, render)!;
    expect([first.channel, second.channel]).toEqual(['main', 'sport']);
    expect(second.delivery.text).toBe('sport: Story 1');
    expect(queue.claimNext(T0, T0, both, render)).toBeNull();
    queue.markPosted(first.delivery.id, 'm-main', T0 + 1);
    expect(queue.get(1)?.status).toBe('posting'); // sport still in flight
    queue.markFailed(second.delivery.id, 'boom', T0 + 2, { retryAt: T0 + 1000 });
    expect(queue.get(1)).toMatchObject({ status: 'queued', lastError: 'boom', postedAt: T0 + 1 });
    expect(queue.claimNext(T0 + 999, T0, both, render)).toBeNull();
    const again = queue.claimNext(T0 + 1000, T0, both, render)!;
    expect(again).toMatchObject({ channel: 'sport', delivery: { attempt: 2 } });
    expect(queue.hadEarlierAttempt(1, again.delivery.id)).toBe(true);
    queue.markFailed(again.delivery.id, 'gave up', T0 + 1001, { final: true });
    expect(queue.get(1)).toMatchObject({ status: 'failed', lastError: 'gave up' });
    expect(queue.channelsOf(1).map((c) => [c.channel, c.status, c.attempts, c.messageId])).toEqual([
      ['main', 'posted', 1, 'm-main'],
      ['sport', 'failed', 2, null],
    ]);
    // retry puts back the failed channel only: never a second copy on main.
    expect(queue.retry(1, T0 + 2000).changed).toBe(true);
    const retried = queue.claimNext(T0 + 2000, T0, both, render)!;
    expect(retried).toMatchObject({ channel: 'sport', delivery: { attempt: 1 } });
    expect(queue.claimNext(T0 + 2000, T0, both, render)).toBeNull();
  });

  it('claims only on the channels pacing lets through; breaking-only channels take breaking posts only', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    queue.enqueue(story(2, { category: 'sport', priority: 'breaking' }), T0);
    expect(queue.claimNext(T0, T0, { normal: [], breakingOnly: ['sport'] }, render)).toMatchObject({ channel: 'sport', article: { id: 2 } });
    expect(queue.claimNext(T0, T0, { normal: [], breakingOnly: ['sport'] }, render)).toBeNull();
    expect(queue.nextWakeAt(T0, { normal: [], breakingOnly: ['sport'] })).toBeNull();
    expect(queue.nextWakeAt(T0, { normal: ['sport'], breakingOnly: [] })).toBe(T0);
    expect(queue.claimNext(T0, T0, { normal: ['main'], breakingOnly: [] }, render)).toMatchObject({ channel: 'main', article: { id: 2 } });
  });

  it('pacing history is per channel', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    queue.claimNext(T0 + 10, T0, { normal: ['main'], breakingOnly: [] }, render);
    queue.claimNext(T0 + 20, T0, { normal: ['sport'], breakingOnly: [] }, render);
    expect([queue.lastAttemptAt('main'), queue.lastAttemptAt('sport'), queue.lastAttemptAt('none'), queue.lastAttemptAt()]).toEqual([T0 + 10, T0 + 20, null, T0 + 20]);
    expect(queue.attemptStartsSince(T0, 'sport')).toEqual([T0 + 20]);
  });

  it('cancel on one channel leaves the others; a re-queue of a failed article never posts again where it is posted', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    expect(queue.cancel(1, T0, 'sport').changed).toBe(true);
    expect(queue.get(1)?.status).toBe('queued');
    const main = queue.claimNext(T0, T0, both, render)!;
    queue.markPosted(main.delivery.id, 'm', T0);
    expect(queue.get(1)?.status).toBe('posted');
    // A named channel it has not been on takes it.
    expect(queue.enqueue(story(1, { category: 'sport' }), T0 + 5, { channels: ['sport'] }).outcome).toBe('existing');
    expect(queue.enqueue(story(1), T0 + 5, { channels: ['extra'] }).outcome).toBe('requeued');
    expect(queue.claimNext(T0 + 5, T0 + 5, 'any', render)).toMatchObject({ channel: 'extra' });
  });

  it('strandedPosting and unstick work per channel', () => {
    const { db, queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    const claim = queue.claimNext(T0, T0, both, render)!;
    expect(queue.strandedPosting()).toEqual([]);
    db.prepare(`UPDATE deliveries SET status = 'abandoned' WHERE id = ?`).run(claim.delivery.id);
    expect(queue.strandedPosting()).toEqual([{ id: 1, channel: 'main' }]);
    queue.unstick(1, T0 + 1);
    expect(queue.channelsOf(1).map((c) => c.status)).toEqual(['queued', 'queued']);
  });

  it('unstick touches only the named channel, or without one only that article', () => {
    const { db, queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    queue.enqueue(story(2), T0);
    for (let n = 0; n < 3; n += 1) queue.claimNext(T0, T0, both, render);
    db.prepare(`UPDATE deliveries SET status = 'abandoned'`).run();
    expect(queue.strandedPosting()).toEqual([
      { id: 1, channel: 'main' },
      { id: 1, channel: 'sport' },
      { id: 2, channel: 'main' },
    ]);
    queue.unstick(1, T0 + 1, 'sport');
    expect(queue.channelsOf(1).map((c) => [c.channel, c.status])).toEqual([
      ['main', 'posting'],
      ['sport', 'queued'],
    ]);
    expect(queue.channelsOf(1)[1]).toMatchObject({ lastError: 'found in posting state without an open attempt', nextAttemptAt: T0 + 1 });
    queue.unstick(1, T0 + 2);
    expect(queue.strandedPosting()).toEqual([{ id: 2, channel: 'main' }]);
  });

  it("unstick without a channel leaves the article's other channels alone when only another article is stranded there", () => {
    const { db, queue } = setup();
    queue.enqueue(story(1, { category: 'sport' }), T0);
    queue.enqueue(story(2), T0);
    for (let n = 0; n < 3; n += 1) queue.claimNext(T0, T0, both, render);
    // Article 1 on main still has its open attempt; its sport attempt and article 2's main one were lost.
    db.prepare(`UPDATE deliveries SET status = 'abandoned' WHERE NOT (article_id = 1 AND channel = 'main')`).run();
    expect(queue.strandedPosting()).toEqual([
      { id: 1, channel: 'sport' },
      { id: 2, channel: 'main' },
    ]);
    queue.unstick(1, T0 + 1);
    expect(queue.channelsOf(1).map((c) => [c.channel, c.status])).toEqual([
      ['main', 'posting'],
      ['sport', 'queued'],
    ]);
  });
});
