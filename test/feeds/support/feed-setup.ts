import path from 'node:path';
import { onTestFinished } from 'vitest';
import type { Article } from '../../../src/articles/article.js';
import { createFeedService, type FeedServiceOptions } from '../../../src/feeds/feed-service.js';
import { createArticleQueue } from '../../../src/store/article-queue.js';
import { openDatabase } from '../../../src/store/open-database.js';
import { toArticle, type ArticleRow } from '../../../src/store/rows.js';
import { createFakeClock, settle } from '../../fakes/fake-clock.js';
import { createMemoryLogger } from '../../fakes/memory-logger.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startFeedServer } from './feed-server.js';

/** A feed service on a real temp SQLite file and the fake clock, with a real feed server on port 0. */
export async function feedSetup(options: Partial<Omit<FeedServiceOptions, 'db' | 'queue' | 'clock' | 'log'>> = {}) {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  const queue = createArticleQueue(db);
  const clock = createFakeClock();
  const { log, entries } = createMemoryLogger();
  const server = await startFeedServer();
  const woken: number[] = [];
  const service = createFeedService({ db, queue, clock, log, onQueued: (n) => woken.push(n), ...options });
  onTestFinished(async () => {
    await service.stop();
    db.close();
  });
  return {
    db,
    queue,
    clock,
    log,
    entries,
    server,
    service,
    /** Batch sizes reported to onQueued (the dispatcher's wake-ups). */
    woken,
    /**
     * Moves the fake clock forward in steps, letting the poller's real HTTP polls finish after each
     * step (and the zero-delay timers a finishing poll arms fire) before the next. Steps stay shorter
     * than the fetch timeout, so a poll started in a step cannot time out within that same step.
     */
    async elapse(ms: number, step = 5_000): Promise<void> {
      for (let done = 0; done < ms; done += step) {
        clock.advance(Math.min(step, ms - done));
        for (let round = 0; round < 10; round += 1) {
          await settle();
          await service.idle();
          clock.advance(0);
        }
      }
    },
    /** Every article in the queue, oldest first. */
    articles(): Article[] {
      return db.prepare<[], ArticleRow>('SELECT * FROM articles ORDER BY id').all().map(toArticle);
    },
  };
}

/** A minimal RSS 2.0 document around the given items. */
export function rss(items: string[], extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Test feed</title><link>https://news.example.com/</link>${extra}${items.join('')}</channel></rss>`;
}

/** One RSS item; `n` makes the headline, link and GUID unique. */
export function item(n: number, over: { title?: string; link?: string; guid?: string | null; description?: string; date?: string } = {}): string {
  const guid = over.guid === undefined ? `story-${n}` : over.guid;
  return (
    `<item><title>${over.title ?? `Story number ${n}`}</title><link>${over.link ?? `https://news.example.com/2026/story-${n}`}</link>` +
    (guid === null ? '' : `<guid isPermaLink="false">${guid}</guid>`) +
    `<description>${over.description ?? `Summary of story ${n}.`}</description>` +
    `<pubDate>${over.date ?? new Date(Date.UTC(2026, 10, 26, 0, n)).toUTCString()}</pubDate></item>`
  );
}
