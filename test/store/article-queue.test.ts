import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import Database from 'better-sqlite3';
import { storyHash } from '../../src/articles/story-hash.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openDatabase, StoreError } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const render = (a: { headline: string; url: string }) => `*${a.headline}*\n\n${a.url}`;

function setup() {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  return { db, queue: createArticleQueue(db) };
}
const story = (n: number, over: Record<string, unknown> = {}) => ({ headline: `Story ${n}`, url: `https://news.example.com/story-${n}`, ...over });

describe('openDatabase', () => {
  it('uses WAL, synchronous=FULL and a busy timeout, and records the schema version', () => {
    const { db } = setup();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('opens an existing database again without re-running migrations', () => {
    const dir = tempDir();
    const file = path.join(dir, 'newsdesk.db');
    const first = openDatabase(file);
    createArticleQueue(first).enqueue(story(1), T0);
    first.close();
    const again = openDatabase(file);
    expect(createArticleQueue(again).get(1)?.headline).toBe('Story 1');
    again.close();
  });

  it('migrates a version 3 database: story hashes for existing articles and feed items, ref= dropped from canonical URLs', () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 3)) old.exec(sql as string);
    old.pragma('user_version = 3');
    old.prepare(
      `INSERT INTO articles (headline, url, canonical_url, priority, publish_at, source, status, created_at, updated_at)
       VALUES ('Rail strike', 'https://news.example.com/rail?ref=home', 'https://news.example.com/rail?ref=home', 'normal', 0, 'cli', 'posted', 0, 0)`,
    ).run();
    old.prepare(`INSERT INTO feeds (id, url, priority, every_minutes, max_per_poll, status, next_poll_at, created_at, updated_at) VALUES (1, 'https://x.example/f', 'normal', 5, 10, 'active', 0, 0, 0)`).run();
    old.prepare(`INSERT INTO feed_items (feed_id, canonical_url, content_hash, headline, outcome, seen_at) VALUES (1, 'https://news.example.com/bus', 'old', 'Bus fares', 'seen', 0)`).run();
    // A feed 7 was removed before the upgrade: only its stories' GUID keys remember it.
    old.prepare(`INSERT INTO feed_items (feed_id, guid_key, canonical_url, content_hash, headline, outcome, seen_at) VALUES (NULL, 'feed:7:1234', 'https://x.example/1', 'h', 'One', 'seen', 0)`).run();
    old.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT canonical_url, content_hash FROM articles').get()).toEqual({
      canonical_url: 'https://news.example.com/rail',
      content_hash: storyHash('Rail strike', 'https://news.example.com/rail'),
    });
    expect(db.prepare('SELECT content_hash FROM feed_items WHERE id = 1').get()).toEqual({ content_hash: storyHash('Bus fares', 'https://news.example.com/bus') });
    expect(db.prepare(`SELECT value FROM settings WHERE key = 'feeds.highest_id'`).get()).toEqual({ value: '7' });
    // The migrated article is found by its story under another spelling of the site.
    expect(createArticleQueue(db).enqueue({ headline: 'Rail Strike!', url: 'http://www.news.example.com/rail/' }, T0).outcome).toBe('existing');
    db.close();
  });

  it('refuses a database from a newer Newsdesk with a message that says what to do', () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(file)).toThrow(StoreError);
    expect(() => openDatabase(file)).toThrow(/upgrade Newsdesk or restore a backup/);
  });
});

describe('article queue', () => {
  it('stores an article with its canonical url, source and timestamps', () => {
    const { queue } = setup();
    const { article, outcome } = queue.enqueue(
      { headline: '  Floods  ', summary: 'Rivers rise', url: 'https://News.example.com/floods/?utm_source=x#top', source: 'admin:60123', category: 'Weather' },
      T0,
    );
    expect(outcome).toBe('created');
    expect(article).toMatchObject({
      headline: 'Floods',
      summary: 'Rivers rise',
      url: 'https://news.example.com/floods/?utm_source=x#top', // the WHATWG href: what a browser opens
      canonicalUrl: 'https://news.example.com/floods',
      category: 'Weather',
      priority: 'normal',
      source: 'admin:60123',
      status: 'queued',
      attempts: 0,
      publishAt: T0,
      timed: false,
      createdAt: T0,
    });
  });

  it('returns exactly the row it stored, timed or not, with or without image and category', () => {
    const { queue } = setup();
    const inputs = [
      story(1),
      story(2, { summary: 'S', imageUrl: 'https://img.example.com/2.jpg', category: 'Sport', priority: 'breaking', source: 'feed:3' }),
      story(3, { publishAt: T0 + 60_000 }),
    ];
    for (const input of inputs) {
      const { article } = queue.enqueue(input, T0);
      expect(article).toEqual(queue.get(article.id));
    }
  });

  it('queues many articles in one call, each like enqueue, with invalid ones returned as errors and not written', () => {
    const { db, queue } = setup();
    queue.enqueue(story(1), T0);
    const results = queue.enqueueMany([story(1), story(2), { headline: '', url: 'https://x.example/bad' }, story(3)], T0 + 1);
    expect(results.map((r) => (r instanceof ZodError ? 'invalid' : r.outcome))).toEqual(['existing', 'created', 'invalid', 'created']);
    for (const r of results) if (!(r instanceof ZodError)) expect(r.article).toEqual(queue.get(r.article.id));
    expect(db.prepare('SELECT COUNT(*) AS n FROM articles').get()).toEqual({ n: 3 });
  });

  it('returns the existing article for a link already queued or posted, in any spelling', () => {
    const { queue } = setup();
    const first = queue.enqueue(story(1), T0).article;
    const again = queue.enqueue({ headline: 'Other headline', url: 'http://NEWS.example.com/story-1/?fbclid=abc' }, T0 + 1);
    expect(again).toEqual({ article: first, outcome: 'existing' });
  });

  it('queues a cancelled or failed link again instead of refusing it', () => {
    const { db, queue } = setup();
    const { article } = queue.enqueue(story(1), T0);
    db.prepare(`UPDATE articles SET status = 'cancelled' WHERE id = ?`).run(article.id);
    const again = queue.enqueue(story(1, { headline: 'Updated' }), T0 + 5);
    expect(again.outcome).toBe('requeued');
    expect(again.article).toMatchObject({ id: article.id, status: 'queued', headline: 'Updated', attempts: 0 });
  });

  it('writes nothing for invalid input', () => {
    const { db, queue } = setup();
    expect(() => queue.enqueue({ headline: '', url: 'https://x.example/1' }, T0)).toThrow(ZodError);
    expect(() => queue.enqueue({ headline: 'ok', url: 'javascript:alert(1)' }, T0)).toThrow(/http:\/\/ or https:\/\//);
    expect(() => queue.enqueue({ headline: 'x'.repeat(201), url: 'https://x.example/1' }, T0)).toThrow(/at most 200/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM articles').get()).toEqual({ n: 0 });
  });

  it('stores hostile-looking text verbatim', () => {
    const { queue } = setup();
    const headline = `Robert'); DROP TABLE articles;-- *bold* مرحبا evil 🇲🇾 "quoted"`; // text-direction controls are refused (test/articles/input-safety.test.ts)
    const { article } = queue.enqueue(story(1, { headline }), T0);
    expect(queue.get(article.id)?.headline).toBe(headline);
  });

  it('claims breaking before normal, then by publish time, and records a sending delivery with the text', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0 + 1);
    queue.enqueue(story(3, { priority: 'breaking' }), T0 + 2);
    const now = T0 + 10;
    const order: string[] = [];
    for (;;) {
      const claim = queue.claimNext(now, now, 'test', render);
      if (!claim) break;
      expect(claim.kind).toBe('claimed');
      expect(claim.delivery).toMatchObject({ status: 'sending', attempt: 1, channel: 'main', text: render(claim.article) });
      expect(claim.article.status).toBe('posting');
      order.push(claim.article.headline);
    }
    expect(order).toEqual(['Story 3', 'Story 1', 'Story 2']);
  });

  it('holds an article whose publish time is in the future until then', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { publishAt: T0 + 60_000, priority: 'breaking' }), T0);
    expect(queue.claimNext(T0 + 59_999, T0 + 59_999, 'test', render)).toBeNull();
    expect(queue.nextWakeAt(T0)).toBe(T0 + 60_000);
    expect(queue.claimNext(T0 + 60_000, T0 + 60_000, 'test', render)?.article.headline).toBe('Story 1');
  });

  it('holds untimed normal articles until the schedule releases them; breaking and timed ones are not held', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0 + 1000); // created after the last release at T0
    queue.enqueue(story(2, { publishAt: T0 + 500 }), T0 + 1000);
    queue.enqueue(story(3, { priority: 'breaking' }), T0 + 1000);
    const heads = () => {
      const out: string[] = [];
      for (let c = queue.claimNext(T0 + 2000, T0, 'test', render); c; c = queue.claimNext(T0 + 2000, T0, 'test', render)) out.push(c.article.headline);
      return out;
    };
    expect(heads()).toEqual(['Story 3', 'Story 2']);
    expect(queue.claimNext(T0 + 2000, T0 + 1000, 'test', render)?.article.headline).toBe('Story 1');
  });

  it('marks an article that cannot be rendered as failed, with the reason, in the claim transaction', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    const claim = queue.claimNext(T0, T0, 'test', () => {
      throw new Error('headline is empty');
    });
    expect(claim).toMatchObject({ kind: 'unpostable', error: 'cannot be posted: headline is empty' });
    expect(queue.get(1)).toMatchObject({ status: 'failed', lastError: 'cannot be posted: headline is empty' });
    expect(queue.deliveriesOf(1)).toEqual([expect.objectContaining({ status: 'failed', finishedAt: T0 })]);
  });

  it('records posted, retry and final failure on both the article and the delivery', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    const first = queue.claimNext(T0, T0, 'test', render)!;
    queue.markFailed(first.delivery.id, 'boom', T0 + 1, { retryAt: T0 + 30_000 });
    expect(queue.get(1)).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: T0 + 30_000, lastError: 'boom' });
    expect(queue.claimNext(T0 + 29_999, T0, 'test', render)).toBeNull();
    const second = queue.claimNext(T0 + 30_000, T0, 'test', render)!;
    expect(second.delivery.attempt).toBe(2);
    queue.noteMessageId(second.delivery.id, 'wamid-1');
    queue.markPosted(second.delivery.id, 'wamid-1', T0 + 30_500);
    expect(queue.get(1)).toMatchObject({ status: 'posted', postedAt: T0 + 30_500, lastError: null });
    expect(queue.deliveriesOf(1).map((d) => [d.status, d.error, d.messageId])).toEqual([
      ['failed', 'boom', null],
      ['posted', null, 'wamid-1'],
    ]);
    expect(queue.lastAttemptAt()).toBe(T0 + 30_000);
  });

  it('lists attempts left open by a crash, and does not count an abandoned one against the article', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    const claim = queue.claimNext(T0, T0, 'test', render)!;
    expect(queue.openAttempts()).toEqual([{ article: expect.objectContaining({ id: 1, status: 'posting' }), delivery: expect.objectContaining({ id: claim.delivery.id }) }]);
    queue.markFailed(claim.delivery.id, 'interrupted', T0 + 1, { retryAt: T0 + 1 }, 'abandoned');
    expect(queue.openAttempts()).toEqual([]);
    expect(queue.get(1)).toMatchObject({ status: 'queued', attempts: 0 });
  });
});
