import { canonicalUrl } from '../articles/canonical-url.js';
import { storyHash } from '../articles/story-hash.js';
import type { Db } from './open-database.js';

/**
 * - `pending`: to do (or to do again after a failed try, at `nextAttemptAt`).
 * - `editing`: an edit was being made; after a crash the channel is read back for the new text first.
 * - `following-up`: WhatsApp would not edit the post; the follow-up's exact text is recorded and it is
 *   being posted. After a crash the channel is read back for it before it is sent again.
 * - `edited`, `followed-up`: done, confirmed by reading the channel back. `failed`: given up.
 */
export type CorrectionStatus = 'pending' | 'editing' | 'following-up' | 'edited' | 'followed-up' | 'failed';

export interface Correction {
  id: number;
  articleId: number;
  /** The article version this correction posts (see ArticleVersion). */
  version: number;
  /** The delivery's channel (the deliveries table's `channel`). */
  channel: string;
  /** The posted message being corrected. */
  messageId: string;
  /** The headline readers saw before, quoted by a follow-up. */
  previousHeadline: string;
  /** The whole new post text (what the message is edited to). */
  text: string;
  status: CorrectionStatus;
  followUpText: string | null;
  followUpMessageId: string | null;
  /** Why WhatsApp would not edit the message (when a follow-up was posted instead). */
  reason: string | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  requestedBy: string;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

/** One version of an article's headline, summary and link; version 1 is what was first posted. */
export interface ArticleVersion {
  articleId: number;
  version: number;
  headline: string;
  summary: string;
  url: string;
  createdAt: number;
  createdBy: string;
}

interface CorrectionRow {
  id: number;
  article_id: number;
  version: number;
  channel: string;
  message_id: string;
  previous_headline: string;
  text: string;
  status: CorrectionStatus;
  follow_up_text: string | null;
  follow_up_message_id: string | null;
  reason: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  requested_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

const toCorrection = (r: CorrectionRow): Correction => ({
  id: r.id,
  articleId: r.article_id,
  version: r.version,
  channel: r.channel,
  messageId: r.message_id,
  previousHeadline: r.previous_headline,
  text: r.text,
  status: r.status,
  followUpText: r.follow_up_text,
  followUpMessageId: r.follow_up_message_id,
  reason: r.reason,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

interface VersionRow {
  article_id: number;
  version: number;
  headline: string;
  summary: string;
  url: string;
  created_at: number;
  created_by: string;
}

const toVersion = (r: VersionRow): ArticleVersion => ({
  articleId: r.article_id,
  version: r.version,
  headline: r.headline,
  summary: r.summary,
  url: r.url,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** What a correction changes, validated by the caller (articleInputSchema), and the post text per posted message. */
export interface NewCorrection {
  articleId: number;
  headline: string;
  summary: string;
  url: string;
  /** One entry per posted message to correct: its channel, message id and new text. */
  targets: { channel: string; messageId: string; text: string }[];
  by: string;
}

/** The article's link as corrected belongs to another article (links stay unique). */
export class LinkTakenError extends Error {
  constructor(readonly otherId: number) {
    super(`that link belongs to article #${otherId}`);
    this.name = 'LinkTakenError';
  }
}

/** Corrections of posted articles, the article versions they make, and notes on deliveries. */
export function createCorrectionsStore(db: Db) {
  const s = {
    article: db.prepare<[number], { id: number; headline: string; summary: string; url: string; status: string }>(
      'SELECT id, headline, summary, url, status FROM articles WHERE id = ?',
    ),
    otherByCanonical: db.prepare<[string, number], { id: number }>('SELECT id FROM articles WHERE canonical_url = ? AND id <> ?'),
    updateArticle: db.prepare(
      `UPDATE articles SET headline = @headline, summary = @summary, url = @url, canonical_url = @canonical, content_hash = @hash, updated_at = @now WHERE id = @id`,
    ),
    lastVersion: db.prepare<[number], { v: number | null }>('SELECT MAX(version) AS v FROM article_versions WHERE article_id = ?'),
    firstPostedAt: db.prepare<[number], { at: number | null }>(`SELECT MIN(finished_at) AS at FROM deliveries WHERE article_id = ? AND status = 'posted'`),
    insertVersion: db.prepare(
      `INSERT INTO article_versions (article_id, version, headline, summary, url, created_at, created_by) VALUES (@articleId, @version, @headline, @summary, @url, @now, @by)`,
    ),
    versions: db.prepare<[number], VersionRow>('SELECT * FROM article_versions WHERE article_id = ? ORDER BY version'),
    insert: db.prepare(
      `INSERT INTO corrections (article_id, version, channel, message_id, previous_headline, text, status, next_attempt_at, requested_by, created_at, updated_at)
       VALUES (@articleId, @version, @channel, @messageId, @previousHeadline, @text, 'pending', @now, @by, @now, @now)`,
    ),
    byId: db.prepare<[number], CorrectionRow>('SELECT * FROM corrections WHERE id = ?'),
    ofArticle: db.prepare<[number], CorrectionRow>('SELECT * FROM corrections WHERE article_id = ? ORDER BY id'),
    due: db.prepare<[number], CorrectionRow>(`SELECT * FROM corrections WHERE status IN ('pending', 'editing', 'following-up') AND next_attempt_at <= ? ORDER BY id LIMIT 1`),
    nextDue: db.prepare<[], { at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM corrections WHERE status IN ('pending', 'editing', 'following-up')`),
    supersede: db.prepare(
      `UPDATE corrections SET status = 'failed', last_error = 'superseded by a later correction', updated_at = @now, finished_at = @now
       WHERE article_id = @articleId AND channel = @channel AND status = 'pending'`,
    ),
    setStatus: db.prepare(`UPDATE corrections SET status = @status, attempts = attempts + @count, updated_at = @now WHERE id = @id`),
    followUp: db.prepare(
      `UPDATE corrections SET status = 'following-up', follow_up_text = @text, reason = @reason, updated_at = @now WHERE id = @id AND status IN ('pending', 'editing')`,
    ),
    noteFollowUpId: db.prepare(`UPDATE corrections SET follow_up_message_id = @messageId, updated_at = @now WHERE id = @id`),
    finish: db.prepare(
      `UPDATE corrections SET status = @status, follow_up_message_id = COALESCE(@messageId, follow_up_message_id), last_error = NULL, updated_at = @now, finished_at = @now WHERE id = @id`,
    ),
    retry: db.prepare(`UPDATE corrections SET last_error = @error, next_attempt_at = @retryAt, updated_at = @now WHERE id = @id`),
    fail: db.prepare(`UPDATE corrections SET status = 'failed', last_error = @error, updated_at = @now, finished_at = @now WHERE id = @id`),
    putDetail: db.prepare(
      `INSERT INTO delivery_details (delivery_id, detail) VALUES (?, ?) ON CONFLICT (delivery_id) DO UPDATE SET detail = excluded.detail`,
    ),
    details: db.prepare<[number], { delivery_id: number; detail: string }>(
      `SELECT x.delivery_id, x.detail FROM delivery_details x JOIN deliveries d ON d.id = x.delivery_id WHERE d.article_id = ?`,
    ),
  };

  const recordTx = db.transaction((c: NewCorrection, now: number): { version: number; corrections: Correction[] } => {
    const article = s.article.get(c.articleId);
    if (!article) throw new Error(`no article ${c.articleId}`);
    const canonical = canonicalUrl(c.url);
    const other = s.otherByCanonical.get(canonical, c.articleId);
    if (other) throw new LinkTakenError(other.id);
    let last = s.lastVersion.get(c.articleId)?.v ?? 0;
    if (last === 0) {
      // Version 1 is what readers first saw, kept before the article row changes.
      const firstAt = s.firstPostedAt.get(c.articleId)?.at ?? now;
      s.insertVersion.run({ articleId: c.articleId, version: 1, headline: article.headline, summary: article.summary, url: article.url, now: firstAt, by: 'original' });
      last = 1;
    }
    const version = last + 1;
    s.insertVersion.run({ articleId: c.articleId, version, headline: c.headline, summary: c.summary, url: c.url, now, by: c.by });
    s.updateArticle.run({ id: c.articleId, headline: c.headline, summary: c.summary, url: c.url, canonical, hash: storyHash(c.headline, canonical), now });
    const made: Correction[] = [];
    for (const target of c.targets) {
      // A correction not started yet is replaced by this one: the post goes straight to the newest text.
      s.supersede.run({ articleId: c.articleId, channel: target.channel, now });
      const id = Number(
        s.insert.run({ articleId: c.articleId, version, channel: target.channel, messageId: target.messageId, previousHeadline: article.headline, text: target.text, now, by: c.by }).lastInsertRowid,
      );
      made.push(toCorrection(s.byId.get(id)!));
    }
    return { version, corrections: made };
  });

  return {
    /**
     * Records a correction in one transaction: the article's versions (the original kept as version 1),
     * the article's new headline, summary and link, and one pending correction per posted message.
     * Throws LinkTakenError when the new link is another article's.
     */
    record(c: NewCorrection, now: number): { version: number; corrections: Correction[] } {
      return recordTx.immediate(c, now);
    },
    get(id: number): Correction | undefined {
      const row = s.byId.get(id);
      return row ? toCorrection(row) : undefined;
    },
    ofArticle(articleId: number): Correction[] {
      return s.ofArticle.all(articleId).map(toCorrection);
    },
    versions(articleId: number): ArticleVersion[] {
      return s.versions.all(articleId).map(toVersion);
    },
    /** The oldest correction due now (open ones first after a restart), or undefined. */
    nextDue(now: number): Correction | undefined {
      const row = s.due.get(now);
      return row ? toCorrection(row) : undefined;
    },
    /** When the next open correction is due, or null when none is open. */
    nextDueAt(): number | null {
      return s.nextDue.get()?.at ?? null;
    },
    /** An edit is about to be made (counts an attempt). */
    markEditing(id: number, now: number): void {
      s.setStatus.run({ id, status: 'editing', count: 1, now });
    },
    /** WhatsApp will not edit the message: record the follow-up's exact text before it is sent. */
    markFollowingUp(id: number, text: string, reason: string, now: number): void {
      s.followUp.run({ id, text, reason, now });
    },
    /** A follow-up send is about to be tried (counts an attempt). */
    countAttempt(id: number, now: number): void {
      s.setStatus.run({ id, status: 'following-up', count: 1, now });
    },
    noteFollowUpId(id: number, messageId: string, now: number): void {
      s.noteFollowUpId.run({ id, messageId, now });
    },
    /** Confirmed on the channel: edited, or followed up (with the follow-up's message id). */
    markDone(id: number, status: 'edited' | 'followed-up', now: number, followUpMessageId: string | null = null): void {
      s.finish.run({ id, status, messageId: followUpMessageId, now });
    },
    /** A try failed: look again at `retryAt`; the status (and so what is tried next) stays. */
    markRetry(id: number, error: string, retryAt: number, now: number): void {
      s.retry.run({ id, error: error.slice(0, 500), retryAt, now });
    },
    markFailed(id: number, error: string, now: number): void {
      s.fail.run({ id, error: error.slice(0, 500), now });
    },
    /** Keeps a note on a delivery attempt (e.g. `image fallback: …`). */
    noteDelivery(deliveryId: number, detail: string): void {
      s.putDetail.run(deliveryId, detail.slice(0, 500));
    },
    /** The notes on an article's delivery attempts, by delivery id. */
    deliveryDetails(articleId: number): Map<number, string> {
      return new Map(s.details.all(articleId).map((r) => [r.delivery_id, r.detail]));
    },
  };
}

export type CorrectionsStore = ReturnType<typeof createCorrectionsStore>;
