import type { Priority } from '../articles/article.js';
import type { Db } from './open-database.js';
import { createSettings } from './settings.js';

/** Whether the poller polls a feed. A paused feed can still be polled by hand. */
export type FeedStatus = 'active' | 'paused';

/** A feed and its polling state. Times are epoch ms. */
/** How a feed is polled and what its stories become (every default filled in). */
export interface FeedSettings {
  category: string | null;
  priority: Priority;
  everyMinutes: number;
  backfill: number;
  maxPerPoll: number;
  include: string[];
  exclude: string[];
}

export interface Feed extends FeedSettings {
  id: number;
  url: string;
  /** The feed's own title, from its last successful poll. */
  title: string | null;
  status: FeedStatus;
  /** True once a poll has succeeded: from then on new items are queued, not just marked seen. */
  primed: boolean;
  etag: string | null;
  lastModified: string | null;
  /** Character set the last body read was decoded with, and why that one (null until a body is read). */
  charset: string | null;
  charsetReason: string | null;
  /** Hash of the last body read in full (see bodyHash in poll-feed.ts); null until one is. */
  bodyHash: string | null;
  lastPollAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: number | null;
  consecutiveFailures: number;
  nextPollAt: number;
  createdAt: number;
  updatedAt: number;
}

/** What adding a feed stores. */
export interface NewFeed extends FeedSettings {
  url: string;
}

interface FeedRow {
  id: number;
  url: string;
  title: string | null;
  category: string | null;
  priority: Priority;
  every_minutes: number;
  backfill: number;
  max_per_poll: number;
  include_words: string;
  exclude_words: string;
  status: FeedStatus;
  primed: number;
  etag: string | null;
  last_modified: string | null;
  charset: string | null;
  charset_reason: string | null;
  body_hash: string | null;
  last_poll_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_kind: string | null;
  last_error_at: number | null;
  consecutive_failures: number;
  next_poll_at: number;
  created_at: number;
  updated_at: number;
}

function toFeed(row: FeedRow): Feed {
  return {
    id: row.id,
    url: row.url,
    title: row.title,
    category: row.category,
    priority: row.priority,
    everyMinutes: row.every_minutes,
    backfill: row.backfill,
    maxPerPoll: row.max_per_poll,
    include: JSON.parse(row.include_words) as string[],
    exclude: JSON.parse(row.exclude_words) as string[],
    status: row.status,
    primed: row.primed === 1,
    etag: row.etag,
    lastModified: row.last_modified,
    charset: row.charset,
    charsetReason: row.charset_reason,
    bodyHash: row.body_hash,
    lastPollAt: row.last_poll_at,
    lastSuccessAt: row.last_success_at,
    lastError: row.last_error,
    lastErrorKind: row.last_error_kind,
    lastErrorAt: row.last_error_at,
    consecutiveFailures: row.consecutive_failures,
    nextPollAt: row.next_poll_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** How a successful poll leaves a feed. `validators: null` keeps the stored ones (a 304). */
export interface PollSuccess {
  now: number;
  nextPollAt: number;
  validators: { etag: string | null; lastModified: string | null } | null;
  title: string | null;
  /** How the body was decoded; null keeps what is stored (a 304 has no body). */
  charset?: { charset: string; reason: string } | null;
  /** Hash of the body this poll read in full and recorded every story of; undefined or null keeps the stored one. */
  bodyHash?: string | null;
}

/** How a failed poll leaves a feed. */
export interface PollFailure {
  now: number;
  nextPollAt: number;
  error: string;
  kind: string;
}

/** The settings key of the highest feed id ever given (migration 004 seeds it). */
export const HIGHEST_ID_KEY = 'feeds.highest_id';

/**
 * The feeds table: what to poll, when, and how the last polls went. The DB decides what is due (like
 * the dispatcher's queue), so a timer armed too early or too often changes nothing but wake-ups.
 */
export function createFeedStore(db: Db) {
  const settings = createSettings(db);
  const s = {
    insert: db.prepare(
      // The id is one past the highest ever given (kept in settings), never a removed feed's: a feed's
      // stories stay keyed by its id (GUIDs like "1234" are only unique within a feed), so a new feed
      // reusing a removed one's id would have its first stories taken for the old feed's.
      `INSERT INTO feeds (id, url, category, priority, every_minutes, backfill, max_per_poll, include_words, exclude_words,
         status, next_poll_at, created_at, updated_at)
       VALUES (
         MAX((SELECT COALESCE(MAX(id), 0) FROM feeds), (SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM settings WHERE key = '${HIGHEST_ID_KEY}')) + 1,
         @url, @category, @priority, @everyMinutes, @backfill, @maxPerPoll, @include, @exclude, 'active', @now, @now, @now)`,
    ),
    byId: db.prepare<[number], FeedRow>('SELECT * FROM feeds WHERE id = ?'),
    byUrl: db.prepare<[string], FeedRow>('SELECT * FROM feeds WHERE url = ?'),
    all: db.prepare<[], FeedRow>('SELECT * FROM feeds ORDER BY id'),
    remove: db.prepare('DELETE FROM feeds WHERE id = ?'),
    setStatus: db.prepare(`UPDATE feeds SET status = @status, next_poll_at = @nextPollAt, updated_at = @now WHERE id = @id`),
    succeeded: db.prepare(
      `UPDATE feeds SET primed = 1, last_poll_at = @now, last_success_at = @now, consecutive_failures = 0, next_poll_at = @nextPollAt,
         etag = CASE WHEN @keep = 1 THEN etag ELSE @etag END,
         last_modified = CASE WHEN @keep = 1 THEN last_modified ELSE @lastModified END,
         title = COALESCE(@title, title), charset = COALESCE(@charset, charset),
         charset_reason = COALESCE(@charsetReason, charset_reason), body_hash = COALESCE(@bodyHash, body_hash), updated_at = @now
       WHERE id = @id`,
    ),
    failed: db.prepare(
      `UPDATE feeds SET last_poll_at = @now, last_error = @error, last_error_kind = @kind, last_error_at = @now,
         consecutive_failures = consecutive_failures + 1, next_poll_at = @nextPollAt, updated_at = @now
       WHERE id = @id`,
    ),
    // Feeds being polled right now are left out (a JSON array of ids): they are due until their poll ends.
    nextDue: db.prepare<[string], { at: number | null }>(
      `SELECT MIN(next_poll_at) AS at FROM feeds WHERE status = 'active' AND id NOT IN (SELECT value FROM json_each(?))`,
    ),
    due: db.prepare<[number, string, number], { id: number }>(
      `SELECT id FROM feeds WHERE status = 'active' AND next_poll_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
       ORDER BY next_poll_at, id LIMIT ?`,
    ),
    counts: db.prepare<[], { feed_id: number; outcome: string; n: number }>(
      `SELECT feed_id, outcome, COUNT(*) AS n FROM feed_items WHERE feed_id IS NOT NULL GROUP BY feed_id, outcome`,
    ),
  };

  const get = (id: number): Feed | undefined => {
    const row = s.byId.get(id);
    return row ? toFeed(row) : undefined;
  };

  const insertTx = db.transaction((feed: NewFeed, now: number): Feed => {
    const id = Number(s.insert.run({ ...feed, include: JSON.stringify(feed.include), exclude: JSON.stringify(feed.exclude), now }).lastInsertRowid);
    settings.write(HIGHEST_ID_KEY, String(id), now);
    return get(id)!;
  });

  return {
    /** Stores a new active feed, due for polling at `now`. The URL must not be stored yet (see byUrl). */
    insert(feed: NewFeed, now: number): Feed {
      return insertTx.immediate(feed, now);
    },

    get,

    /** The feed stored under exactly this URL, if any. */
    byUrl(url: string): Feed | undefined {
      const row = s.byUrl.get(url);
      return row ? toFeed(row) : undefined;
    },

    /** Every feed, oldest first. */
    list(): Feed[] {
      return s.all.all().map(toFeed);
    },

    /** Deletes a feed; its item history stays (unowned) so re-adding it does not flood. */
    remove(id: number): boolean {
      return s.remove.run(id).changes === 1;
    },

    /** Pauses or resumes; a resumed feed is due at `nextPollAt`. */
    setStatus(id: number, status: FeedStatus, now: number, nextPollAt: number): boolean {
      return s.setStatus.run({ id, status, nextPollAt, now }).changes === 1;
    },

    /** A poll succeeded (items read, or a 304). */
    pollSucceeded(id: number, result: PollSuccess): void {
      s.succeeded.run({
        id,
        now: result.now,
        nextPollAt: result.nextPollAt,
        keep: result.validators ? 0 : 1,
        etag: result.validators?.etag ?? null,
        lastModified: result.validators?.lastModified ?? null,
        title: result.title,
        charset: result.charset?.charset ?? null,
        charsetReason: result.charset?.reason ?? null,
        bodyHash: result.bodyHash ?? null,
      });
    },

    /** A poll failed; consecutive failures go up by one. */
    pollFailed(id: number, result: PollFailure): void {
      s.failed.run({ id, ...result });
    },

    /** The earliest next poll of an active feed not being polled (`polling`), or null when there is none. */
    nextDueAt(polling: readonly number[] = []): number | null {
      return s.nextDue.get(JSON.stringify(polling))?.at ?? null;
    },

    /** Active feeds due at `now` and not being polled, most overdue first. */
    dueIds(now: number, limit: number, polling: readonly number[] = []): number[] {
      return s.due.all(now, JSON.stringify(polling), limit).map((r) => r.id);
    },

    /** Per feed, how many of its stories ended in each outcome (queued, seen, capped, …). */
    outcomeCounts(): Map<number, Record<string, number>> {
      const counts = new Map<number, Record<string, number>>();
      for (const row of s.counts.all()) {
        const entry = counts.get(row.feed_id) ?? {};
        entry[row.outcome] = row.n;
        counts.set(row.feed_id, entry);
      }
      return counts;
    },
  };
}

export type FeedStore = ReturnType<typeof createFeedStore>;
