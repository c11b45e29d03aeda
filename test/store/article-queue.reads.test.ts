import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The queue's reads that pacing, waking and reconciling rely on, each at its edges: the pacing
 * history after a restart, the next wake-up, quiet-hours claims, earlier attempts, stranded articles.
 */
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const render = (a: { headline: string; url: string }) => `*${a.headline}*\n\n${a.url}`;
const story = (n: number, over: Record<string, unknown> = {}) => ({ headline: `Story ${n}`, url: `https://news.example.com/story-${n}`, ...over });

function setup() {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  return { db, queue: createArticleQueue(db) };
}

describe('article queue: what pacing reads after a restart', () => {
  it('lastAttemptAt is null before any attempt, then the start of the newest attempt (not the newest finish)', () => {
    const { queue } = setup();
    expect(queue.lastAttemptAt()).toBeNull();
    expect(queue.attemptStartsSince(0)).toEqual([]);
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0);
    const a = queue.claimNext(T0 + 10, T0, 'test', render)!;
    const b = queue.claimNext(T0 + 20, T0, 'test', render)!;
    queue.markPosted(b.delivery.id, 'm2', T0 + 25);
    queue.markPosted(a.delivery.id, 'm1', T0 + 90);
    expect(queue.lastAttemptAt()).toBe(T0 + 20);
  });

  it('attemptStartsSince lists starts strictly after the given time, oldest first, failed and abandoned ones too', () => {
    const { queue } = setup();
    for (const n of [1, 2, 3]) queue.enqueue(story(n), T0);
    const first = queue.claimNext(T0 + 100, T0, 'test', render)!;
    queue.markFailed(first.delivery.id, 'boom', T0 + 150, { final: true });
    const second = queue.claimNext(T0 + 200, T0, 'test', render)!;
    queue.markFailed(second.delivery.id, 'stopped', T0 + 250, { retryAt: T0 + 250 }, 'abandoned');
    queue.claimNext(T0 + 300, T0, 'test', render);
    expect(queue.attemptStartsSince(T0)).toEqual([T0 + 100, T0 + 200, T0 + 300]);
    expect(queue.attemptStartsSince(T0 + 100)).toEqual([T0 + 200, T0 + 300]);
    expect(queue.attemptStartsSince(T0 + 99)).toEqual([T0 + 100, T0 + 200, T0 + 300]);
    expect(queue.attemptStartsSince(T0 + 300)).toEqual([]);
  });
});

describe('article queue: waking and claiming', () => {
  it('nextWakeAt: the earliest of publish and retry times among released articles; null when none waits', () => {
    const { queue } = setup();
    expect(queue.nextWakeAt(T0)).toBeNull();
    queue.enqueue(story(1, { publishAt: T0 + 5_000 }), T0);
    queue.enqueue(story(2, { publishAt: T0 + 3_000 }), T0);
    expect(queue.nextWakeAt(T0)).toBe(T0 + 3_000);
    // A retry time later than the publish time counts (MAX of the two).
    const claim = queue.claimNext(T0 + 3_000, T0, 'test', render)!;
    queue.markFailed(claim.delivery.id, 'boom', T0 + 3_000, { retryAt: T0 + 9_000 });
    expect(queue.nextWakeAt(T0)).toBe(T0 + 5_000);
    queue.cancel(1, T0);
    expect(queue.nextWakeAt(T0)).toBe(T0 + 9_000);
  });

  it('nextWakeAt leaves out unreleased normal articles, and everything but breaking ones when only breaking may go', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0 + 1_000); // untimed normal, created after the release at T0
    expect(queue.nextWakeAt(T0)).toBeNull();
    expect(queue.nextWakeAt(T0 + 1_000)).toBe(T0 + 1_000);
    expect(queue.nextWakeAt(T0 + 1_000, true)).toBeNull();
    queue.enqueue(story(2, { priority: 'breaking', publishAt: T0 + 7_000 }), T0);
    expect(queue.nextWakeAt(T0, true)).toBe(T0 + 7_000);
  });

  it('an article that cannot be rendered gets a failed delivery with no text, finished at once', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    const claim = queue.claimNext(T0 + 5, T0, 'test', () => {
      throw new Error('too long');
    });
    expect(claim).toMatchObject({ kind: 'unpostable', error: 'cannot be posted: too long' });
    expect(queue.deliveriesOf(1)).toEqual([expect.objectContaining({ status: 'failed', text: '', error: 'cannot be posted: too long', finishedAt: T0 + 5, startedAt: T0 + 5 })]);
    expect(queue.openAttempts()).toEqual([]);
  });

  it('onlyBreaking claims a breaking article or nothing', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    expect(queue.claimNext(T0, T0, 'test', render, true)).toBeNull();
    queue.enqueue(story(2, { priority: 'breaking' }), T0);
    expect(queue.claimNext(T0, T0, 'test', render, true)?.article.id).toBe(2);
    expect(queue.claimNext(T0, T0, 'test', render, true)).toBeNull();
    expect(queue.claimNext(T0, T0, 'test', render)?.article.id).toBe(1);
  });

  it('claims in publish order, then by id; a claimed article is not claimed again', () => {
    const { queue } = setup();
    queue.enqueue(story(1, { publishAt: T0 + 2 }), T0);
    queue.enqueue(story(2, { publishAt: T0 + 1 }), T0);
    queue.enqueue(story(3, { publishAt: T0 + 1 }), T0);
    const ids: number[] = [];
    for (let c = queue.claimNext(T0 + 10, T0, 'test', render); c; c = queue.claimNext(T0 + 10, T0, 'test', render)) ids.push(c.article.id);
    expect(ids).toEqual([2, 3, 1]);
    expect(queue.get(1)).toMatchObject({ status: 'posting', attempts: 1 });
  });
});

describe('article queue: earlier attempts, stranded articles, cancel and retry', () => {
  it('marking an unknown delivery throws with its id and writes nothing', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    expect(() => queue.markPosted(99, 'm', T0)).toThrow('no delivery 99');
    expect(() => queue.markFailed(98, 'boom', T0, { final: true })).toThrow('no delivery 98');
    expect(queue.get(1)).toMatchObject({ status: 'queued', lastError: null });
  });

  it('hadEarlierAttempt: only an earlier delivery of the same article counts', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0);
    const a1 = queue.claimNext(T0, T0, 'test', render)!;
    const b1 = queue.claimNext(T0, T0, 'test', render)!;
    expect(queue.hadEarlierAttempt(1, a1.delivery.id)).toBe(false);
    expect(queue.hadEarlierAttempt(2, b1.delivery.id)).toBe(false);
    queue.markFailed(a1.delivery.id, 'boom', T0 + 1, { retryAt: T0 + 1 });
    const a2 = queue.claimNext(T0 + 1, T0, 'test', render)!;
    expect(a2.delivery.attempt).toBe(2);
    expect(queue.hadEarlierAttempt(1, a2.delivery.id)).toBe(true);
    expect(queue.hadEarlierAttempt(2, b1.delivery.id)).toBe(false);
  });

  it('an article in posting without an open attempt is stranded; unstick queues it again at once, attempts kept', () => {
    const { db, queue } = setup();
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0);
    const claim = queue.claimNext(T0, T0, 'test', render)!;
    expect(queue.strandedPosting()).toEqual([]); // its attempt is open
    db.prepare(`UPDATE deliveries SET status = 'failed' WHERE id = ?`).run(claim.delivery.id);
    expect(queue.strandedPosting().map((a) => a.id)).toEqual([1]);
    queue.unstick(1, T0 + 50);
    expect(queue.get(1)).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: T0 + 50, lastError: 'found in posting state without an open attempt' });
    expect(queue.strandedPosting()).toEqual([]);
  });

  it('cancel changes only a queued article; retry only a failed one, with fresh attempts', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0);
    expect(queue.cancel(1, T0 + 1)).toEqual({ article: expect.objectContaining({ status: 'cancelled', updatedAt: T0 + 1 }), changed: true });
    expect(queue.cancel(1, T0 + 2)).toMatchObject({ changed: false, article: { updatedAt: T0 + 1 } });
    expect(queue.cancel(99, T0)).toEqual({ article: undefined, changed: false });
    expect(queue.retry(2, T0)).toMatchObject({ changed: false, article: { status: 'queued' } });
    const claim = queue.claimNext(T0, T0, 'test', render)!;
    expect(queue.cancel(2, T0)).toMatchObject({ changed: false, article: { status: 'posting' } });
    queue.markFailed(claim.delivery.id, 'final', T0 + 3, { final: true });
    expect(queue.get(2)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'final' });
    expect(queue.retry(2, T0 + 4)).toEqual({
      article: expect.objectContaining({ status: 'queued', attempts: 0, nextAttemptAt: 0, lastError: null, updatedAt: T0 + 4 }),
      changed: true,
    });
  });

  it('an API-style enqueue (requeueEnded false) returns a cancelled link as it is', () => {
    const { queue } = setup();
    queue.enqueue(story(1), T0);
    queue.cancel(1, T0);
    expect(queue.enqueue(story(1, { headline: 'Again' }), T0 + 1, { requeueEnded: false })).toMatchObject({ outcome: 'existing', article: { status: 'cancelled', headline: 'Story 1' } });
    expect(queue.enqueue(story(1, { headline: 'Again' }), T0 + 2)).toMatchObject({ outcome: 'requeued', article: { status: 'queued', headline: 'Again', createdAt: T0 + 2 } });
  });

  it('a failed link is queued again too, and enqueueMany queues cancelled and failed links again like enqueue', () => {
    const { db, queue } = setup();
    queue.enqueue(story(1), T0);
    queue.enqueue(story(2), T0);
    queue.enqueue(story(3), T0);
    db.prepare(`UPDATE articles SET status = 'failed' WHERE id IN (1, 3)`).run();
    queue.cancel(2, T0);
    expect(queue.enqueue(story(1), T0 + 1)).toMatchObject({ outcome: 'requeued', article: { id: 1, status: 'queued' } });
    const many = queue.enqueueMany([story(2), story(3)], T0 + 2);
    expect(many).toEqual([
      expect.objectContaining({ outcome: 'requeued', article: expect.objectContaining({ id: 2, status: 'queued' }) }),
      expect.objectContaining({ outcome: 'requeued', article: expect.objectContaining({ id: 3, status: 'queued' }) }),
    ]);
  });

  it('a queued or posted link in the same story at another URL is the existing article; the message id is kept on posting', () => {
    const { queue } = setup();
    const { article } = queue.enqueue(story(1), T0);
    const claim = queue.claimNext(T0, T0, 'test', render)!;
    queue.noteMessageId(claim.delivery.id, 'wamid-early');
    expect(queue.deliveriesOf(1)[0]).toMatchObject({ status: 'sending', messageId: 'wamid-early' });
    queue.markPosted(claim.delivery.id, 'wamid-early', T0 + 5);
    queue.noteMessageId(claim.delivery.id, 'wamid-late'); // only while sending
    expect(queue.deliveriesOf(1)[0]).toMatchObject({ status: 'posted', messageId: 'wamid-early', finishedAt: T0 + 5 });
    expect(queue.enqueue(story(1), T0 + 10)).toEqual({ article: queue.get(article.id), outcome: 'existing' });
  });
});
