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

/** Where a page of `list` ends: the last row's sort key and id (the next page starts after it). */
export interface ListCursor {
  key: number;
  id: number;
}

/** Which page of `list`: skip `offset` rows, or start after `after` (a keyset cursor: stable while rows are added). */
export interface ListPage {
  offset?: number;
  after?: ListCursor | null;
}

/** A delivery attempt with the headline it was for. */
export type DeliveryWithHeadline = Delivery & { headline: string };

/** Read-only views of the queue for status, list, show and log. */
export function createArticleReports(db: Db) {
  // Each list is ordered by a sort key and the id; `@key`/`@id` continue after a cursor (keyset paging).
  type ListParams = { now: number; limit: number; offset: number; key: number | null; id: number | null };
  type Listed = ArticleRow & { sort_key: number };
  const newestFirst = (key: string, where: string) =>
    db.prepare<ListParams, Listed>(
      `SELECT *, ${key} AS sort_key FROM articles WHERE (${where}) AND (@key IS NULL OR (${key}, id) < (@key, @id))
       ORDER BY ${key} DESC, id DESC LIMIT @limit OFFSET @offset`,
    );
  const lists: Record<ListFilter, ReturnType<typeof newestFirst>> = {
    queued: newestFirst('id', `(status = 'queued' AND NOT (timed = 1 AND publish_at > @now)) OR status = 'posting'`),
    // Soonest first: the next to go at the top.
    scheduled: db.prepare<ListParams, Listed>(
      `SELECT *, publish_at AS sort_key FROM articles WHERE status = 'queued' AND timed = 1 AND publish_at > @now
         AND (@key IS NULL OR (publish_at, id) > (@key, @id))
       ORDER BY publish_at, id LIMIT @limit OFFSET @offset`,
    ),
    posted: newestFirst('posted_at', `status = 'posted'`),
    failed: newestFirst('updated_at', `status = 'failed'`),
    cancelled: newestFirst('updated_at', `status = 'cancelled'`),
    all: newestFirst('id', '1'),
  };
  // Both read indexes only: the counts walk the narrow status index (not every row, which took 90 ms
  // at 100,000 articles), and the last post is the top of the partial index of posted articles.
  const byStatus = db.prepare<[], { status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM articles GROUP BY status`);
  const scheduledCount = db.prepare<{ now: number }, { n: number }>(
    `SELECT COUNT(*) AS n FROM articles WHERE status = 'queued' AND timed = 1 AND publish_at > @now`,
  );
  const lastPosted = db.prepare<[], ArticleRow>(
    `SELECT * FROM articles INDEXED BY articles_posted WHERE status = 'posted' ORDER BY posted_at DESC, id DESC LIMIT 1`,
  );
  const nextInLine = db.prepare<[], ArticleRow>(
    `SELECT * FROM articles WHERE status = 'queued' ORDER BY CASE priority WHEN 'breaking' THEN 0 ELSE 1 END, MAX(publish_at, next_attempt_at), id LIMIT 1`,
  );
  const recentDeliveries = db.prepare<[number], DeliveryRow & { headline: string }>(
    `SELECT d.*, a.headline FROM deliveries d JOIN articles a ON a.id = d.article_id ORDER BY d.id DESC LIMIT ?`,
  );

  /**
   * The newest `limit` articles matching `filter` (scheduled ones soonest first), from `page`, and the
   * cursor where the next page starts (null when there is none).
   */
  function listPage(filter: ListFilter, limit: number, now: number, page: ListPage = {}): { articles: Article[]; next: ListCursor | null } {
    const rows = lists[filter].all({ now, limit: limit + 1, offset: page.offset ?? 0, key: page.after?.key ?? null, id: page.after?.id ?? null });
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { articles: shown.map(toArticle), next: rows.length > limit && last ? { key: last.sort_key, id: last.id } : null };
  }

  return {
    /** One page of `list` and where the next one starts. */
    page: listPage,
    /** The newest `limit` articles matching `filter` (the first page). */
    list(filter: ListFilter, limit: number, now: number): Article[] {
      return listPage(filter, limit, now).articles;
    },
    counts(now: number): QueueCounts {
      const counts: QueueCounts = { queued: 0, scheduled: 0, posting: 0, posted: 0, failed: 0, cancelled: 0 };
      for (const { status, n } of byStatus.all()) if (status in counts) counts[status as keyof QueueCounts] = n;
      // Timed articles not yet due count as scheduled, not queued.
      counts.scheduled = scheduledCount.get({ now })?.n ?? 0;
      counts.queued -= counts.scheduled;
      return counts;
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
