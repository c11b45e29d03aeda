import type { Article } from '../articles/article.js';
import type { Db } from './open-database.js';
import { toArticle, toDelivery, type ArticleRow, type Delivery, type DeliveryRow } from './rows.js';

/** What `list` can show. `scheduled` = queued with a publish time still ahead; `queued` = the rest of the queue. */
export type ListFilter = 'queued' | 'scheduled' | 'posted' | 'failed' | 'cancelled' | 'all';
export const LIST_FILTERS: readonly ListFilter[] = ['queued', 'scheduled', 'posted', 'failed', 'cancelled', 'all'];

export interface QueueCounts {
  queued: number;
  scheduled: number;
  posting: number;
  posted: number;
  failed: number;
  cancelled: number;
}

/** A delivery attempt with the headline it was for. */
export type DeliveryWithHeadline = Delivery & { headline: string };

/** Read-only views of the queue for status, list, show and log. */
export function createArticleReports(db: Db) {
  const lists: Record<ListFilter, ReturnType<typeof db.prepare<{ now: number; limit: number }, ArticleRow>>> = {
    queued: db.prepare(
      `SELECT * FROM articles WHERE (status = 'queued' AND NOT (timed = 1 AND publish_at > @now)) OR status = 'posting'
       ORDER BY id DESC LIMIT @limit`,
    ),
    scheduled: db.prepare(`SELECT * FROM articles WHERE status = 'queued' AND timed = 1 AND publish_at > @now ORDER BY publish_at LIMIT @limit`),
    posted: db.prepare(`SELECT * FROM articles WHERE status = 'posted' ORDER BY posted_at DESC, id DESC LIMIT @limit`),
    failed: db.prepare(`SELECT * FROM articles WHERE status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT @limit`),
    cancelled: db.prepare(`SELECT * FROM articles WHERE status = 'cancelled' ORDER BY updated_at DESC, id DESC LIMIT @limit`),
    all: db.prepare(`SELECT * FROM articles ORDER BY id DESC LIMIT @limit`),
  };
  const counts = db.prepare<{ now: number }, QueueCounts>(
    `SELECT
       COALESCE(SUM(status = 'queued' AND NOT (timed = 1 AND publish_at > @now)), 0) AS queued,
       COALESCE(SUM(status = 'queued' AND timed = 1 AND publish_at > @now), 0) AS scheduled,
       COALESCE(SUM(status = 'posting'), 0) AS posting,
       COALESCE(SUM(status = 'posted'), 0) AS posted,
       COALESCE(SUM(status = 'failed'), 0) AS failed,
       COALESCE(SUM(status = 'cancelled'), 0) AS cancelled
     FROM articles`,
  );
  const lastPosted = db.prepare<[], ArticleRow>(`SELECT * FROM articles WHERE status = 'posted' ORDER BY posted_at DESC, id DESC LIMIT 1`);
  const nextInLine = db.prepare<[], ArticleRow>(
    `SELECT * FROM articles WHERE status = 'queued' ORDER BY CASE priority WHEN 'breaking' THEN 0 ELSE 1 END, MAX(publish_at, next_attempt_at), id LIMIT 1`,
  );
  const recentDeliveries = db.prepare<[number], DeliveryRow & { headline: string }>(
    `SELECT d.*, a.headline FROM deliveries d JOIN articles a ON a.id = d.article_id ORDER BY d.id DESC LIMIT ?`,
  );

  return {
    /** The newest `limit` articles matching `filter` (scheduled ones soonest first). */
    list(filter: ListFilter, limit: number, now: number): Article[] {
      return lists[filter].all({ now, limit }).map(toArticle);
    },
    counts(now: number): QueueCounts {
      return counts.get({ now }) ?? { queued: 0, scheduled: 0, posting: 0, posted: 0, failed: 0, cancelled: 0 };
    },
    lastPosted(): Article | undefined {
      const row = lastPosted.get();
      return row ? toArticle(row) : undefined;
    },
    /** The article that goes next when pacing allows (breaking first), due or not. */
    nextInLine(): Article | undefined {
      const row = nextInLine.get();
      return row ? toArticle(row) : undefined;
    },
    /** The newest `limit` delivery attempts across all articles, newest first. */
    recentDeliveries(limit: number): DeliveryWithHeadline[] {
      return recentDeliveries.all(limit).map((row) => ({ ...toDelivery(row), headline: row.headline }));
    },
  };
}

export type ArticleReports = ReturnType<typeof createArticleReports>;
