import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestItems } from '../../src/feeds/ingest/ingest.js';
import type { TimeSlicer } from '../../src/feeds/ingest/time-slicer.js';
import { parseFeed } from '../../src/feeds/parse/parse-feed.js';
import { resolveFeedSettings } from '../../src/feeds/settings.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createFeedItemStore } from '../../src/store/feed-item-store.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 11, 2, 9);

function feedOf(count: number): string {
  const items = Array.from({ length: count }, (_, i) => `<item><title>Story ${i} of the long feed</title><link>https://news.example.com/story-${i}</link><guid>g-${i}</guid></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title><link>https://news.example.com/</link>${items.join('')}</channel></rss>`;
}

/**
 * A feed's stories are looked up in chunks with the event loop free in between, and written later, in
 * batches; whatever another door queues meanwhile must still be found at write time.
 */
describe('ingest: lookups that went stale while the poll yielded', () => {
  it('a story an editor queued between two lookup chunks is recorded as a duplicate, not queued twice', async () => {
    const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
    const queue = createArticleQueue(db);
    const items = createFeedItemStore(db, queue);
    const feed = createFeedStore(db).insert({ url: 'https://news.example.com/rss', ...resolveFeedSettings({ backfill: 300 }, { everyMinutes: 5, maxPerPoll: 10 }) }, T0);
    let ticks = 0;
    let editorId = 0;
    // The poll's turns: at the start of the second lookup chunk, the first (stories 0–99) has been looked up.
    const slicer: TimeSlicer = {
      budgetMs: 5,
      tick: async () => {
        ticks += 1;
        if (ticks === 2) editorId = queue.enqueue({ headline: 'Story 5, by an editor', url: 'https://news.example.com/story-5' }, T0).article.id;
      },
      pause: async () => undefined,
      quiet: () => true,
    };
    const result = await ingestItems(feed, parseFeed(feedOf(250)), feed.url, {
      items,
      now: () => T0,
      slicer,
      stopping: () => false,
      commit: async (write) => db.transaction(write).immediate(),
    });
    expect(editorId).toBeGreaterThan(0);
    expect(result.queued).toHaveLength(249);
    expect(result.skipped).toEqual({ duplicate: 1 });
    expect(result.skippedStories[0]).toMatchObject({ reason: 'duplicate', url: 'https://news.example.com/story-5', detail: `article ${editorId} (queued)` });
    expect(db.prepare('SELECT count(*) AS n FROM articles WHERE url = ?').get('https://news.example.com/story-5')).toEqual({ n: 1 });
    db.close();
  });
});
