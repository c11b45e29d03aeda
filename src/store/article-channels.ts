import type { Article, ArticleStatus } from '../articles/article.js';
import type { Db } from './open-database.js';

/** One article's delivery to one channel (the article_channels row). */
export interface ArticleChannel {
  articleId: number;
  /** The channel's short name. */
  channel: string;
  status: ArticleStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  messageId: string | null;
  postedAt: number | null;
  updatedAt: number;
}

export interface ArticleChannelRow {
  article_id: number;
  channel: string;
  status: ArticleStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  message_id: string | null;
  posted_at: number | null;
  updated_at: number;
}

export function toArticleChannel(row: ArticleChannelRow): ArticleChannel {
  return {
    articleId: row.article_id,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    messageId: row.message_id,
    postedAt: row.posted_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Decides which channels an article goes to (editions/routing.ts, injected so the store stays free of
 * the registry). `explicit`: the channels named when it was queued. Returns at least one name; throws
 * (an UnknownChannelError) for a name that is not a channel, and then nothing is written.
 */
export type RouteArticle = (article: Article, explicit: readonly string[] | undefined) => string[];

/**
 * The aggregate status of an article over its channels: posting while any channel posts, queued while
 * any waits, failed when any failed (so `retry` and the failed list find it), posted when all that went
 * are posted, cancelled when nothing went. An article without channel rows keeps its own status.
 */
const AGGREGATE = `
UPDATE articles SET
  status = COALESCE((SELECT CASE
      WHEN SUM(status = 'posting') > 0 THEN 'posting'
      WHEN SUM(status = 'queued') > 0 THEN 'queued'
      WHEN SUM(status = 'failed') > 0 THEN 'failed'
      WHEN SUM(status = 'posted') > 0 THEN 'posted'
      ELSE 'cancelled' END FROM article_channels WHERE article_id = @id), status),
  attempts = COALESCE((SELECT MAX(attempts) FROM article_channels WHERE article_id = @id), attempts),
  next_attempt_at = COALESCE((SELECT MIN(next_attempt_at) FROM article_channels WHERE article_id = @id AND status = 'queued'),
    (SELECT MAX(next_attempt_at) FROM article_channels WHERE article_id = @id), next_attempt_at),
  last_error = (SELECT last_error FROM article_channels WHERE article_id = @id AND last_error IS NOT NULL
    ORDER BY status = 'failed' DESC, updated_at DESC LIMIT 1),
  posted_at = (SELECT MIN(posted_at) FROM article_channels WHERE article_id = @id),
  updated_at = @now
WHERE id = @id`;

/**
 * The article_channels rows: routing writes, the aggregate kept on `articles`, and the editor's
 * cancel and retry. Every method runs inside the caller's transaction (the article queue's).
 */
export function createArticleChannels(db: Db) {
  const s = {
    aggregate: db.prepare(AGGREGATE),
    insert: db.prepare(
      `INSERT INTO article_channels (article_id, channel, status, attempts, next_attempt_at, updated_at)
       VALUES (@articleId, @channel, 'queued', 0, 0, @now)
       ON CONFLICT (article_id, channel) DO UPDATE SET status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL,
         updated_at = @now
       WHERE status IN ('failed', 'cancelled')`,
    ),
    insertMissing: db.prepare(
      `INSERT INTO article_channels (article_id, channel, status, attempts, next_attempt_at, updated_at)
       VALUES (@articleId, @channel, 'queued', 0, 0, @now) ON CONFLICT (article_id, channel) DO NOTHING`,
    ),
    dropUnposted: db.prepare(
      `DELETE FROM article_channels WHERE article_id = @articleId AND status IN ('failed', 'cancelled')
         AND channel NOT IN (SELECT value FROM json_each(@channels))`,
    ),
    rowsOf: db.prepare<[number], ArticleChannelRow>('SELECT * FROM article_channels WHERE article_id = ? ORDER BY channel'),
    cancel: db.prepare(`UPDATE article_channels SET status = 'cancelled', updated_at = @now WHERE article_id = @id AND status = 'queued'`),
    cancelOne: db.prepare(
      `UPDATE article_channels SET status = 'cancelled', updated_at = @now WHERE article_id = @id AND channel = @channel AND status = 'queued'`,
    ),
    retry: db.prepare(
      `UPDATE article_channels SET status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = @now
       WHERE article_id = @id AND status = 'failed'`,
    ),
    countsByChannel: db.prepare<[], { channel: string; status: ArticleStatus; n: number }>(
      `SELECT channel, status, COUNT(*) AS n FROM article_channels GROUP BY channel, status ORDER BY channel`,
    ),
    hasPlaceholder: db.prepare<[], { one: number }>(`SELECT 1 AS one FROM article_channels WHERE channel = '' LIMIT 1`),
    adoptRows: db.prepare(`UPDATE article_channels SET channel = ? WHERE channel = ''`),
    adoptDeliveries: db.prepare(`UPDATE deliveries SET channel = ? WHERE channel = ''`),
    adoptCorrections: db.prepare(`UPDATE corrections SET channel = ? WHERE channel = ''`),
  };

  return {
    /**
     * Routes an article to `channels`: a new row queued per channel, a failed or cancelled one queued
     * again; a channel that has it posted or on its way keeps it (never a second copy). Failed or
     * cancelled rows of channels no longer routed are dropped (a re-queue routes afresh).
     */
    route(articleId: number, channels: readonly string[], now: number): void {
      for (const channel of channels) s.insert.run({ articleId, channel, now });
      s.dropUnposted.run({ articleId, channels: JSON.stringify(channels) });
      s.aggregate.run({ id: articleId, now });
    },

    /** Routes a just-inserted article (already `queued` with no attempts: no aggregate needed). */
    routeNew(articleId: number, channels: readonly string[], now: number): void {
      for (const channel of channels) s.insert.run({ articleId, channel, now });
    },

    /** Adds the channels the article has no row for yet; returns how many were added. */
    addMissing(articleId: number, channels: readonly string[], now: number): number {
      let added = 0;
      for (const channel of channels) added += s.insertMissing.run({ articleId, channel, now }).changes;
      if (added > 0) s.aggregate.run({ id: articleId, now });
      return added;
    },

    /** Recomputes the article's own status and counters from its channel rows. */
    aggregate(articleId: number, now: number): void {
      s.aggregate.run({ id: articleId, now });
    },

    /** The article's channel rows, by channel name. */
    rowsOf(articleId: number): ArticleChannel[] {
      return s.rowsOf.all(articleId).map(toArticleChannel);
    },

    /** How many deliveries each channel has in each status (`status`, metrics). */
    countsByChannel(): Record<string, Partial<Record<ArticleStatus, number>>> {
      const out: Record<string, Partial<Record<ArticleStatus, number>>> = {};
      for (const row of s.countsByChannel.all()) (out[row.channel] ??= {})[row.status] = row.n;
      return out;
    },

    /** Cancels what still waits (on one channel, or on all); returns how many channel rows changed. */
    cancel(articleId: number, now: number, channel?: string): number {
      const changes = channel === undefined ? s.cancel.run({ id: articleId, now }).changes : s.cancelOne.run({ id: articleId, channel, now }).changes;
      if (changes > 0) s.aggregate.run({ id: articleId, now });
      return changes;
    },

    /** Queues the failed channels of an article again with fresh attempts; returns how many changed. */
    retry(articleId: number, now: number): number {
      const changes = s.retry.run({ id: articleId, now }).changes;
      if (changes > 0) s.aggregate.run({ id: articleId, now });
      return changes;
    },

    /**
     * Gives rows written before there were several channels (migration 010's empty name) the default
     * channel's name. Cheap when there is nothing to adopt (one indexed probe); the caller holds a write
     * transaction when there is.
     */
    needsAdoption(): boolean {
      return s.hasPlaceholder.get() !== undefined;
    },
    adopt(defaultChannel: string): void {
      s.adoptRows.run(defaultChannel);
      s.adoptDeliveries.run(defaultChannel);
      s.adoptCorrections.run(defaultChannel);
    },
  };
}

export type ArticleChannels = ReturnType<typeof createArticleChannels>;
