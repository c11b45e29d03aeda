import type { Article } from '../articles/article.js';
import type { Db } from './open-database.js';
import { toArticle, type ArticleRow } from './rows.js';

/** A slot that has been handled: the digest article it queued, or null when the period had no stories. */
export interface DigestRecord {
  channel: string;
  slot: number;
  articleId: number | null;
  stories: number;
  since: number;
  createdAt: number;
}

/** A story a digest may list, and whether it was routed to the channel (it has a delivery row there). */
export interface DigestCandidate {
  article: Article;
  routedHere: boolean;
}

/** Digest articles carry this source prefix (`digest:sport`): never listed in a digest themselves. */
export const DIGEST_SOURCE_PREFIX = 'digest:';

interface DigestRow {
  channel: string;
  slot: number;
  article_id: number | null;
  stories: number;
  since: number;
  created_at: number;
}

const toRecord = (r: DigestRow): DigestRecord => ({
  channel: r.channel,
  slot: r.slot,
  articleId: r.article_id,
  stories: r.stories,
  since: r.since,
  createdAt: r.created_at,
});

/** The most stories a period is read with before the channel's filters and top= pick from them. */
const CANDIDATE_LIMIT = 500;

/**
 * The digests table: which (channel, slot) is done. `once` runs a slot's work and records it in one
 * IMMEDIATE transaction, so the digest article and its slot row are written together or not at all,
 * and a second process (or a restart) finds the slot done.
 */
export function createDigestStore(db: Db) {
  const s = {
    one: db.prepare<[string, number], DigestRow>(`SELECT * FROM digests WHERE channel = ? AND slot = ?`),
    last: db.prepare<[string], DigestRow>(`SELECT * FROM digests WHERE channel = ? ORDER BY slot DESC LIMIT 1`),
    recent: db.prepare<[string, number], DigestRow>(`SELECT * FROM digests WHERE channel = ? ORDER BY slot DESC LIMIT ?`),
    insert: db.prepare(
      `INSERT INTO digests (channel, slot, article_id, stories, since, created_at) VALUES (@channel, @slot, @articleId, @stories, @since, @createdAt)`,
    ),
    candidates: db.prepare<{ channel: string; since: number; until: number; limit: number }, ArticleRow & { routed: number }>(
      `SELECT a.*, EXISTS (SELECT 1 FROM article_channels ac WHERE ac.article_id = a.id AND ac.channel = @channel) AS routed
       FROM articles a
       WHERE a.created_at > @since AND a.created_at <= @until AND a.publish_at <= @until
         AND a.status <> 'cancelled' AND a.source NOT LIKE '${DIGEST_SOURCE_PREFIX}%'
       ORDER BY a.priority = 'breaking' DESC, a.publish_at DESC, a.id DESC
       LIMIT @limit`,
    ),
  };

  const once = db.transaction(
    (channel: string, slot: number, now: number, work: () => { articleId: number | null; stories: number; since: number }): DigestRecord | null => {
      if (s.one.get(channel, slot)) return null;
      const done = work();
      const record = { channel, slot, ...done, createdAt: now };
      s.insert.run(record);
      return record;
    },
  );

  return {
    /** The newest handled slot of a channel, or undefined. */
    last(channel: string): DigestRecord | undefined {
      const row = s.last.get(channel);
      return row ? toRecord(row) : undefined;
    },
    /** Whether a slot is done. */
    done(channel: string, slot: number): boolean {
      return s.one.get(channel, slot) !== undefined;
    },
    /** The newest handled slots of a channel, newest first. */
    recent(channel: string, limit = 10): DigestRecord[] {
      return s.recent.all(channel, limit).map(toRecord);
    },
    /** Stories created in (since, until], breaking first, then newest; digests themselves and cancelled stories left out. */
    candidates(channel: string, since: number, until: number): DigestCandidate[] {
      return s.candidates.all({ channel, since, until, limit: CANDIDATE_LIMIT }).map((row) => ({ article: toArticle(row), routedHere: row.routed === 1 }));
    },
    /**
     * Runs `work` (which may queue the digest article on this connection) and records the slot, in one
     * IMMEDIATE transaction; returns null without running it when the slot is already done.
     */
    once(channel: string, slot: number, now: number, work: () => { articleId: number | null; stories: number; since: number }): DigestRecord | null {
      return once.immediate(channel, slot, now, work);
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
