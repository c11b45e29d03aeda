import type { Article } from '../articles/article.js';
import { canonicalUrl } from '../articles/canonical-url.js';
import type { AuditEntry } from './audit-log.js';
import type { Db } from './open-database.js';
import { toArticle, toDelivery, type ArticleRow, type DeliveryRow } from './rows.js';
import type { DeliveryWithHeadline } from './article-reports.js';

/** Where a page of the queue starts: the sort key of the row before it. */
export interface DeskCursor {
  k1: number;
  k2: number;
  id: number;
}

/**
 * The desk's reads and its two edits (reschedule, post now), as prepared statements. Every list is
 * keyset-paged (the next page starts after the last row's sort key), so page 500 of 100,000 articles
 * costs what page 1 does.
 */

/** Which articles the queue page shows: the ones still to go (posting order) or the finished ones (newest first). */
export type QueueSection = 'upcoming' | 'done';
/** Narrower than a section: `queued` (due or waiting for a release), `scheduled` (timed, still ahead), or one finished status. */
export type QueueStatusFilter = 'queued' | 'scheduled' | 'posted' | 'failed' | 'cancelled';

/** An article as the queue page lists it: with the channel's message id once posted. */
export type QueueRow = Article & {
  messageId: string | null;
  /** Each channel's delivery (several channels): its short name, status and message id. */
  channels: { channel: string; status: Article['status']; messageId: string | null }[];
};

export interface QueuePage {
  rows: QueueRow[];
  /** Where the next page starts, or null on the last page. */
  next: DeskCursor | null;
}

type Row = ArticleRow & { message_id: string | null; k1: number; k2: number };

const MESSAGE_ID = `(SELECT d.message_id FROM deliveries d WHERE d.article_id = a.id AND d.status = 'posted' ORDER BY d.id DESC LIMIT 1) AS message_id`;
// Posting order: the post in flight, then breaking, then by when each may go; ties by id.
const RANK = `CASE WHEN a.status = 'posting' THEN 0 WHEN a.priority = 'breaking' THEN 1 ELSE 2 END`;
const DUE = `MAX(a.publish_at, a.next_attempt_at)`;
const SEARCH = `(@q IS NULL OR a.headline LIKE @q ESCAPE '\\' OR a.url LIKE @q ESCAPE '\\')`;

/** `%text%` for LIKE, with LIKE's own wildcards taken literally. */
export function likePattern(text: string | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? `%${trimmed.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}

export function createDeskStore(db: Db) {
  const upcoming = db.prepare<Record<string, unknown>, Row>(
    // No message id yet for these; a correlated subquery here would run for every row before the sort.
    `SELECT a.*, NULL AS message_id, ${RANK} AS k1, ${DUE} AS k2 FROM articles a
     WHERE a.status IN ('queued', 'posting') AND ${SEARCH}
       AND (@filter IS NULL
            OR (@filter = 'scheduled' AND a.status = 'queued' AND a.timed = 1 AND a.publish_at > @now)
            OR (@filter = 'queued' AND NOT (a.status = 'queued' AND a.timed = 1 AND a.publish_at > @now)))
       AND (@k1 IS NULL OR (${RANK}, ${DUE}, a.id) > (@k1, @k2, @id))
     ORDER BY k1, k2, a.id LIMIT @limit`,
  );
  const doneAll = db.prepare<Record<string, unknown>, Row>(
    `SELECT a.*, ${MESSAGE_ID}, a.updated_at AS k1, 0 AS k2 FROM articles a INDEXED BY articles_by_update
     WHERE a.status IN ('posted', 'failed', 'cancelled') AND ${SEARCH}
       AND (@k1 IS NULL OR (a.updated_at, a.id) < (@k1, @id))
     ORDER BY a.updated_at DESC, a.id DESC LIMIT @limit`,
  );
  const doneOne = db.prepare<Record<string, unknown>, Row>(
    `SELECT a.*, ${MESSAGE_ID}, a.updated_at AS k1, 0 AS k2 FROM articles a
     WHERE a.status = @filter AND ${SEARCH}
       AND (@k1 IS NULL OR (a.updated_at, a.id) < (@k1, @id))
     ORDER BY a.updated_at DESC, a.id DESC LIMIT @limit`,
  );
  const byCanonical = db.prepare<[string], ArticleRow>('SELECT * FROM articles WHERE canonical_url = ?');
  const channelsOf = db.prepare<[number], { channel: string; status: Article['status']; messageId: string | null }>(
    'SELECT channel, status, message_id AS messageId FROM article_channels WHERE article_id = ? ORDER BY channel',
  );
  const hourly = db.prepare<{ since: number }, { hour: number; posts: number; avgMs: number; maxMs: number }>(
    `SELECT (posted_at - @since) / 3600000 AS hour, COUNT(*) AS posts,
            AVG(MAX(0, posted_at - CASE WHEN timed = 1 THEN MAX(created_at, publish_at) ELSE created_at END)) AS avgMs,
            MAX(MAX(0, posted_at - CASE WHEN timed = 1 THEN MAX(created_at, publish_at) ELSE created_at END)) AS maxMs
     FROM articles INDEXED BY articles_posted WHERE status = 'posted' AND posted_at >= @since GROUP BY hour ORDER BY hour`,
  );
  const deliveries = db.prepare<Record<string, unknown>, DeliveryRow & { headline: string }>(
    `SELECT d.*, a.headline FROM deliveries d JOIN articles a ON a.id = d.article_id
     WHERE (@before IS NULL OR d.id < @before)
       AND (@q IS NULL OR a.headline LIKE @q ESCAPE '\\' OR d.error LIKE @q ESCAPE '\\' OR d.message_id LIKE @q ESCAPE '\\' OR d.status LIKE @q ESCAPE '\\'
            OR CAST(d.article_id AS TEXT) = @exact)
     ORDER BY d.id DESC LIMIT @limit`,
  );
  const audit = db.prepare<Record<string, unknown>, AuditEntry>(
    `SELECT * FROM audit_log
     WHERE (@before IS NULL OR id < @before)
       AND (@q IS NULL OR command LIKE @q ESCAPE '\\' OR actor LIKE @q ESCAPE '\\' OR door LIKE @q ESCAPE '\\' OR outcome LIKE @q ESCAPE '\\' OR detail LIKE @q ESCAPE '\\')
     ORDER BY id DESC LIMIT @limit`,
  );
  const reschedule = db.prepare(`UPDATE articles SET publish_at = @at, timed = 1, next_attempt_at = 0, updated_at = @now WHERE id = @id AND status = 'queued'`);
  const promote = db.prepare(`UPDATE articles SET priority = 'breaking', updated_at = @now WHERE id = @id AND status = 'queued' AND priority = 'normal'`);
  const get = db.prepare<[number], ArticleRow>('SELECT * FROM articles WHERE id = ?');

  const page = (rows: Row[], limit: number): QueuePage => {
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown.at(-1);
    return {
      rows: shown.map((r) => ({ ...toArticle(r), messageId: r.message_id, channels: channelsOf.all(r.id) })),
      next: more && last ? { k1: last.k1, k2: last.k2, id: last.id } : null,
    };
  };

  return {
    /** One page of a queue section, after `cursor`; `q` searches headlines and links. */
    queuePage(options: { section: QueueSection; filter?: QueueStatusFilter; q?: string; cursor?: DeskCursor | null; limit: number; now: number }): QueuePage {
      const { section, filter, cursor, limit, now } = options;
      const params = { q: likePattern(options.q), k1: cursor?.k1 ?? null, k2: cursor?.k2 ?? null, id: cursor?.id ?? null, limit: limit + 1, now, filter: filter ?? null };
      if (section === 'upcoming') return page(upcoming.all(params), limit);
      return page((filter ? doneOne : doneAll).all(params), limit);
    },
    /** The article already queued under this link (same canonical URL), if any. */
    findByLink(url: string): Article | undefined {
      let canonical: string;
      try {
        canonical = canonicalUrl(url);
      } catch {
        return undefined; // not a link yet (the editor is still typing): nothing to compare
      }
      const row = byCanonical.get(canonical);
      return row ? toArticle(row) : undefined;
    },
    /** Posts per hour over the `hours` hours up to `now`, with the mean and longest enqueue-to-post time. */
    hourly(now: number, hours = 24): { start: number; posts: number; avgMs: number | null; maxMs: number | null }[] {
      const hourMs = 3_600_000;
      const since = Math.floor(now / hourMs) * hourMs - (hours - 1) * hourMs;
      const byHour = new Map(hourly.all({ since }).map((r) => [r.hour, r]));
      return Array.from({ length: hours }, (_, i) => {
        const r = byHour.get(i);
        return { start: since + i * hourMs, posts: r?.posts ?? 0, avgMs: r ? Math.round(r.avgMs) : null, maxMs: r ? r.maxMs : null };
      });
    },
    /** Delivery attempts, newest first, before delivery id `before`; `q` searches headline, error, message id, status, article id. */
    deliveries(options: { q?: string; before?: number | null; limit: number }): { rows: DeliveryWithHeadline[]; next: number | null } {
      const rows = deliveries.all({ q: likePattern(options.q), exact: options.q?.trim().replace(/^#/, '') || null, before: options.before ?? null, limit: options.limit + 1 });
      const shown = rows.slice(0, options.limit);
      return { rows: shown.map((r) => ({ ...toDelivery(r), headline: r.headline })), next: rows.length > options.limit ? (shown.at(-1)?.id ?? null) : null };
    },
    /** Audit entries, newest first, before entry id `before`; `q` searches command, actor, door, outcome and detail. */
    audit(options: { q?: string; before?: number | null; limit: number }): { rows: AuditEntry[]; next: number | null } {
      const rows = audit.all({ q: likePattern(options.q), before: options.before ?? null, limit: options.limit + 1 });
      const shown = rows.slice(0, options.limit);
      return { rows: shown, next: rows.length > options.limit ? (shown.at(-1)?.id ?? null) : null };
    },
    /** Moves a queued article to `at` (it becomes timed). Changed only when it was queued. */
    reschedule(id: number, at: number, now: number): { article: Article | undefined; changed: boolean } {
      const changed = reschedule.run({ id, at, now }).changes === 1;
      const row = get.get(id);
      return { article: row ? toArticle(row) : undefined, changed };
    },
    /** Makes a queued normal article breaking, so it goes next as pacing allows. */
    promote(id: number, now: number): { article: Article | undefined; changed: boolean } {
      const changed = promote.run({ id, now }).changes === 1;
      const row = get.get(id);
      return { article: row ? toArticle(row) : undefined, changed };
    },
  };
}

export type DeskStore = ReturnType<typeof createDeskStore>;
