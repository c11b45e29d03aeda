import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createArticleReports } from '../../src/store/article-reports.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const render = (a: { headline: string; url: string }) => `*${a.headline}*\n\n${a.url}`;
const story = (n: number, over: Record<string, unknown> = {}) => ({ headline: `Story ${n}`, url: `https://news.example.com/story-${n}`, ...over });

describe('status counts and the last post, read from indexes', () => {
  it('counts each status, a timed article not yet due as scheduled (queued once due), and names the newest post', () => {
    const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
    const queue = createArticleQueue(db);
    const reports = createArticleReports(db);
    expect(reports.counts(T0)).toEqual({ queued: 0, scheduled: 0, posting: 0, posted: 0, failed: 0, cancelled: 0 });
    expect(reports.lastPosted()).toBeUndefined();

    for (const n of [1, 2, 3]) queue.enqueue(story(n), T0);
    const first = queue.claimNext(T0 + 10, T0 + 10, 'main', render)!;
    const second = queue.claimNext(T0 + 20, T0 + 20, 'main', render)!;
    queue.markPosted(second.delivery.id, 'm2', T0 + 25);
    queue.markPosted(first.delivery.id, 'm1', T0 + 90); // posted last: the newest post
    queue.claimNext(T0 + 30, T0 + 30, 'main', render); // #3 is being posted
    queue.enqueue(story(4, { publishAt: T0 + 60_000 }), T0); // scheduled for a minute later
    queue.enqueue(story(5), T0);

    expect(reports.counts(T0 + 100)).toEqual({ queued: 1, scheduled: 1, posting: 1, posted: 2, failed: 0, cancelled: 0 });
    expect(reports.counts(T0 + 60_001)).toEqual({ queued: 2, scheduled: 0, posting: 1, posted: 2, failed: 0, cancelled: 0 });
    expect(reports.lastPosted()?.headline).toBe('Story 1');
    db.close();
  });
});
