import path from 'node:path';
import { onTestFinished, vi } from 'vitest';
import { ingestItems, type IngestDeps } from '../../../src/feeds/ingest/ingest.js';
import type { TimeSlicer } from '../../../src/feeds/ingest/time-slicer.js';
import { parseFeed } from '../../../src/feeds/parse/parse-feed.js';
import { resolveFeedSettings, type FeedSettingsInput } from '../../../src/feeds/settings.js';
import { createArticleQueue } from '../../../src/store/article-queue.js';
import { createFeedItemStore, type FeedItemStore } from '../../../src/store/feed-item-store.js';
import { createFeedStore, type Feed } from '../../../src/store/feed-store.js';
import { openDatabase } from '../../../src/store/open-database.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const T0 = Date.UTC(2026, 11, 2, 9);

/** An RSS document of `count` undated stories (so they keep document order). */
export function feedOf(count: number, from = 0): string {
  const items = Array.from({ length: count }, (_, i) => `<item><title>Story ${from + i} of the feed</title><link>https://news.example.com/story-${from + i}</link><guid>g-${from + i}</guid></item>`);
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title><link>https://news.example.com/</link>${items.join('')}</channel></rss>`;
}

/**
 * ingestItems on a real temp SQLite file, with a slicer the test sets (budget, quiet or not) and a
 * controlled clock for the cost of writing: each batch's write "takes" `msPerStory` per story (the
 * `performance.now()` ingest reads around it moves only then), so batch sizes are exact numbers.
 */
export function ingestSetup(settings: FeedSettingsInput = {}) {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  onTestFinished(() => {
    db.close();
  });
  const queue = createArticleQueue(db);
  const real = createFeedItemStore(db, queue);
  const feeds = createFeedStore(db);
  const feed = feeds.insert({ url: 'https://news.example.com/rss', ...resolveFeedSettings(settings, { everyMinutes: 5, maxPerPoll: 10 }) }, T0);
  let perfNow = 1_000;
  let msPerStory = 0;
  const recorded: number[] = [];
  const items: FeedItemStore = {
    ...real,
    record(feedId, writes, now, finish, lookedUp) {
      recorded.push(writes.length);
      perfNow += msPerStory * writes.length;
      return real.record(feedId, writes, now, finish, lookedUp);
    },
  };
  const slicer = { budgetMs: 5, quiet: true, pauses: 0 };
  const fakeSlicer: TimeSlicer = {
    get budgetMs() {
      return slicer.budgetMs;
    },
    tick: async () => undefined,
    pause: async () => {
      slicer.pauses += 1;
    },
    quiet: () => slicer.quiet,
  };
  const woken: number[] = [];
  let finished = 0;

  return {
    db,
    queue,
    feeds,
    feed,
    slicer,
    /** Stories in each record() call (each one transaction). */
    recorded,
    /** What onQueued was called with, in order. */
    woken,
    finishCalls: () => finished,
    /** Sets what writing one story costs on the controlled clock (ms). */
    costPerStory(ms: number) {
      msPerStory = ms;
    },
    articleCount: () => (db.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n,
    async ingest(document: string, over: Partial<IngestDeps> & { feed?: Feed } = {}) {
      const spy = vi.spyOn(performance, 'now').mockImplementation(() => perfNow);
      try {
        return await ingestItems(over.feed ?? feed, parseFeed(document), feed.url, {
          items,
          now: () => T0,
          slicer: fakeSlicer,
          stopping: () => false,
          onQueued: (n) => woken.push(n),
          commit: async (write) => db.transaction(write).immediate(),
          finish: () => {
            finished += 1;
          },
          ...over,
        });
      } finally {
        spy.mockRestore();
      }
    },
  };
}
