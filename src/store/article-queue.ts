import {
  articleInputSchema,
  type Article,
  type ArticleInput,
  type ArticleStatus,
  type ValidArticleInput,
} from '../articles/article.js';
import { ZodError } from 'zod';
import { canonicalUrl } from '../articles/canonical-url.js';
import { storyHash } from '../articles/story-hash.js';
import type { Db } from './open-database.js';
import { toArticle, toDelivery, type ArticleRow, type Delivery, type DeliveryRow } from './rows.js';

/** What enqueue did: a new article, the one already known for that link, or a cancelled/failed one queued again. */
export type EnqueueOutcome = 'created' | 'existing' | 'requeued';

export interface EnqueueResult {
  article: Article;
  outcome: EnqueueOutcome;
}

/**
 * What claimNext found: an article taken for posting with the delivery row recording the attempt, or
 * an article whose content cannot be posted at all (already marked failed, with its delivery row).
 */
export type Claim =
  | { kind: 'claimed'; article: Article; delivery: Delivery }
  | { kind: 'unpostable'; article: Article; delivery: Delivery; error: string };

/** Renders an article to the text that will be posted; throws for content that can never be posted. */
export type Render = (article: Article) => string;

/** An attempt left in `sending` (by a crash or a stop mid-send), with its article. */
export interface OpenAttempt {
  article: Article;
  delivery: Delivery;
}

const DUE_FILTER = `status = 'queued' AND publish_at <= @now AND next_attempt_at <= @now
  AND (priority = 'breaking' OR timed = 1 OR created_at <= @releasedThrough)
  AND (@onlyBreaking = 0 OR priority = 'breaking')`;
const DUE_ORDER = `CASE priority WHEN 'breaking' THEN 0 ELSE 1 END, publish_at, id`;

/**
 * The article queue: every state change of an article and its delivery rows, each in one transaction.
 * Time is always passed in (epoch ms), so callers decide what "now" is.
 */
export function createArticleQueue(db: Db) {
  const s = {
    byId: db.prepare<[number], ArticleRow>('SELECT * FROM articles WHERE id = ?'),
    byCanonical: db.prepare<[string], ArticleRow>('SELECT * FROM articles WHERE canonical_url = ?'),
    byStoryHash: db.prepare<[string], ArticleRow>('SELECT * FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1'),
    insert: db.prepare(
      `INSERT INTO articles (headline, summary, url, canonical_url, content_hash, image_url, category, priority, publish_at, timed,
         source, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (@headline, @summary, @url, @canonicalUrl, @contentHash, @imageUrl, @category, @priority, @publishAt, @timed,
         @source, 'queued', 0, 0, @now, @now)`,
    ),
    requeue: db.prepare<Record<string, unknown>, ArticleRow>(
      `UPDATE articles SET headline = @headline, summary = @summary, url = @url, canonical_url = @canonicalUrl,
         content_hash = @contentHash, image_url = @imageUrl,
         category = @category, priority = @priority, publish_at = @publishAt, timed = @timed, source = @source,
         status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, created_at = @now, updated_at = @now
       WHERE id = @id
       RETURNING *`,
    ),
    nextDue: db.prepare<{ now: number; releasedThrough: number; onlyBreaking: number }, ArticleRow>(
      `SELECT * FROM articles WHERE ${DUE_FILTER} ORDER BY ${DUE_ORDER} LIMIT 1`,
    ),
    markPosting: db.prepare(
      `UPDATE articles SET status = 'posting', attempts = attempts + 1, updated_at = @now WHERE id = @id AND status = 'queued'`,
    ),
    insertDelivery: db.prepare(
      `INSERT INTO deliveries (article_id, attempt, channel, status, text, error, finished_at, started_at)
       VALUES (@articleId, @attempt, @channel, @status, @text, @error, @finishedAt, @now)`,
    ),
    deliveryById: db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?'),
    noteMessageId: db.prepare(`UPDATE deliveries SET message_id = @messageId WHERE id = @id AND status = 'sending'`),
    finishDelivery: db.prepare(
      `UPDATE deliveries SET status = @status, message_id = COALESCE(@messageId, message_id), error = @error, finished_at = @now
       WHERE id = @id AND status = 'sending'`,
    ),
    articlePosted: db.prepare(
      `UPDATE articles SET status = 'posted', posted_at = @now, updated_at = @now, last_error = NULL WHERE id = @id`,
    ),
    articleRetry: db.prepare(
      `UPDATE articles SET status = 'queued', next_attempt_at = @retryAt, last_error = @error, updated_at = @now,
         attempts = attempts - @uncount WHERE id = @id`,
    ),
    articleFailed: db.prepare(`UPDATE articles SET status = 'failed', last_error = @error, updated_at = @now WHERE id = @id`),
    openAttempts: db.prepare<[], DeliveryRow>(`SELECT * FROM deliveries WHERE status = 'sending' ORDER BY id`),
    strandedPosting: db.prepare<[], ArticleRow>(
      `SELECT a.* FROM articles a WHERE a.status = 'posting'
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.article_id = a.id AND d.status = 'sending')`,
    ),
    nextWake: db.prepare<{ releasedThrough: number; onlyBreaking: number }, { at: number | null }>(
      `SELECT MIN(MAX(publish_at, next_attempt_at)) AS at FROM articles WHERE status = 'queued'
         AND (priority = 'breaking' OR timed = 1 OR created_at <= @releasedThrough)
         AND (@onlyBreaking = 0 OR priority = 'breaking')`,
    ),
    startsSince: db.prepare<[number], { started_at: number }>(`SELECT started_at FROM deliveries WHERE started_at > ? ORDER BY started_at`),
    deliveriesOf: db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE article_id = ? ORDER BY id'),
    earlierAttempt: db.prepare<[number, number], { id: number }>('SELECT id FROM deliveries WHERE article_id = ? AND id < ? LIMIT 1'),
    lastAttempt: db.prepare<[], { at: number | null }>(`SELECT started_at AS at FROM deliveries ORDER BY id DESC LIMIT 1`),
    cancel: db.prepare(`UPDATE articles SET status = 'cancelled', updated_at = @now WHERE id = @id AND status = 'queued'`),
    retry: db.prepare(
      `UPDATE articles SET status = 'queued', attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = @now
       WHERE id = @id AND status = 'failed'`,
    ),
  };

  const get = (id: number): Article | undefined => {
    const row = s.byId.get(id);
    return row ? toArticle(row) : undefined;
  };
  const mustGet = (id: number): Article => {
    const article = get(id);
    // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, the id was just read or written in this transaction
    if (!article) throw new Error(`article ${id} vanished inside a transaction`);
    return article;
  };

  /** Queues one validated article; the caller holds the write transaction. */
  const enqueueValid = (valid: ValidArticleInput, now: number, requeueEnded = true): EnqueueResult => {
    const canonical = canonicalUrl(valid.url);
    const values = {
      headline: valid.headline,
      summary: valid.summary,
      url: valid.url,
      canonicalUrl: canonical,
      contentHash: storyHash(valid.headline, canonical),
      imageUrl: valid.imageUrl ?? null,
      category: valid.category ?? null,
      priority: valid.priority,
      publishAt: valid.publishAt ?? now,
      timed: valid.publishAt === undefined ? 0 : 1,
      source: valid.source,
      now,
    };
    // The same link in any spelling, or the same story at another URL of the site (www., a new GUID).
    const existing = s.byCanonical.get(canonical) ?? s.byStoryHash.get(values.contentHash);
    if (existing) {
      if (requeueEnded && (existing.status === 'cancelled' || existing.status === 'failed')) {
        const row = s.requeue.get({ ...values, id: existing.id });
        // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, the row was just read in this transaction
        if (!row) throw new Error(`article ${existing.id} vanished inside a transaction`);
        return { article: toArticle(row), outcome: 'requeued' };
      }
      return { article: toArticle(existing), outcome: 'existing' };
    }
    const id = Number(s.insert.run(values).lastInsertRowid);
    // Every column of the new row is known here: no read-back (it halves the cost of a big feed's ingest).
    const article: Article = {
      id,
      headline: values.headline,
      summary: values.summary,
      url: values.url,
      canonicalUrl: canonical,
      imageUrl: values.imageUrl,
      category: values.category,
      priority: values.priority,
      publishAt: values.publishAt,
      timed: values.timed === 1,
      source: values.source,
      status: 'queued',
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      postedAt: null,
    };
    return { article, outcome: 'created' };
  };
  const enqueueTx = db.transaction(enqueueValid);
  const enqueueManyTx = db.transaction((entries: readonly (ValidArticleInput | ZodError)[], now: number) =>
    entries.map((entry): EnqueueResult | ZodError => (entry instanceof ZodError ? entry : enqueueValid(entry, now))),
  );

  const claimTx = db.transaction((now: number, releasedThrough: number, channel: string, render: Render, onlyBreaking: boolean): Claim | null => {
    const row = s.nextDue.get({ now, releasedThrough, onlyBreaking: onlyBreaking ? 1 : 0 });
    if (!row) return null;
    let text = '';
    let error: string | null = null;
    try {
      text = render(toArticle(row));
    } catch (cause) {
      error = `cannot be posted: ${(cause as Error).message}`;
    }
    s.markPosting.run({ id: row.id, now });
    const info = s.insertDelivery.run({
      articleId: row.id,
      attempt: row.attempts + 1,
      channel,
      status: error ? 'failed' : 'sending',
      text,
      error,
      finishedAt: error ? now : null,
      now,
    });
    if (error) s.articleFailed.run({ id: row.id, error, now });
    const deliveryRow = s.deliveryById.get(Number(info.lastInsertRowid));
    // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, the row was just inserted in this transaction
    if (!deliveryRow) throw new Error('delivery row vanished inside a transaction');
    const article = mustGet(row.id);
    const delivery = toDelivery(deliveryRow);
    return error ? { kind: 'unpostable', article, delivery, error } : { kind: 'claimed', article, delivery };
  });

  const postedTx = db.transaction((deliveryId: number, messageId: string, now: number) => {
    const delivery = s.deliveryById.get(deliveryId);
    if (!delivery) throw new Error(`no delivery ${deliveryId}`);
    s.finishDelivery.run({ id: deliveryId, status: 'posted', messageId, error: null, now });
    s.articlePosted.run({ id: delivery.article_id, now });
  });

  const failedTx = db.transaction(
    (deliveryId: number, error: string, now: number, next: { retryAt: number } | { final: true }, status: 'failed' | 'abandoned') => {
      const delivery = s.deliveryById.get(deliveryId);
      if (!delivery) throw new Error(`no delivery ${deliveryId}`);
      s.finishDelivery.run({ id: deliveryId, status, messageId: null, error, now });
      // An abandoned attempt (stop or crash, post not on the channel) is not held against the article.
      const uncount = status === 'abandoned' ? 1 : 0;
      if ('retryAt' in next) s.articleRetry.run({ id: delivery.article_id, retryAt: next.retryAt, error, now, uncount });
      else s.articleFailed.run({ id: delivery.article_id, error, now });
    },
  );

  return {
    /**
     * Validates and queues an article. A link already queued, posting or posted returns that article
     * (outcome `existing`); a cancelled or failed one is queued again with the new content, unless
     * `requeueEnded` is false (the API: a CMS retrying must not undo an editor's cancel), when it too is
     * returned as `existing`. Throws ZodError on invalid input, with nothing written.
     */
    enqueue(input: ArticleInput, now: number, options: { requeueEnded?: boolean } = {}): EnqueueResult {
      const valid = articleInputSchema.parse(input);
      // Stryker disable next-line LogicalOperator: `&& true` passes undefined on, and enqueueValid's default parameter makes that true
      return enqueueTx.immediate(valid, now, options.requeueEnded ?? true);
    },

    /**
     * Queues many articles in one transaction (nested in the caller's, when there is one), each as
     * `enqueue` would. An invalid input gets its ZodError in its place and is not written; the others are.
     */
    enqueueMany(inputs: readonly ArticleInput[], now: number): (EnqueueResult | ZodError)[] {
      const entries = inputs.map((input) => {
        const parsed = articleInputSchema.safeParse(input);
        return parsed.success ? parsed.data : parsed.error;
      });
      return enqueueManyTx.immediate(entries, now);
    },

    get,

    /**
     * Takes the next due article (breaking first, then by publish time), renders it, and in the same
     * transaction marks it `posting` and records a `sending` delivery row with the exact text. Returns
     * null when nothing is due. `releasedThrough`: untimed normal articles created after it wait.
     * `onlyBreaking`: take a breaking article or nothing (during quiet hours).
     */
    claimNext(now: number, releasedThrough: number, channel: string, render: Render, onlyBreaking = false): Claim | null {
      return claimTx.immediate(now, releasedThrough, channel, render, onlyBreaking);
    },

    /** Start times of attempts after `since`, oldest first (for the hourly cap across restarts). */
    attemptStartsSince(since: number): number[] {
      return s.startsSince.all(since).map((r) => r.started_at);
    },

    /** Epoch ms of the most recent attempt's start (for pacing across restarts), or null. */
    lastAttemptAt(): number | null {
      return s.lastAttempt.get()?.at ?? null;
    },

    /** Remembers the id WhatsApp gave a sent message before it is confirmed. */
    noteMessageId(deliveryId: number, messageId: string): void {
      s.noteMessageId.run({ id: deliveryId, messageId });
    },

    /** The attempt was confirmed on the channel. */
    markPosted(deliveryId: number, messageId: string, now: number): void {
      postedTx.immediate(deliveryId, messageId, now);
    },

    /**
     * The attempt failed: the article goes back to the queue at `retryAt`, or is `failed` for good.
     * `abandoned` marks an attempt that was never finished (a stop or crash) rather than one that failed.
     */
    markFailed(
      deliveryId: number,
      error: string,
      now: number,
      next: { retryAt: number } | { final: true },
      status: 'failed' | 'abandoned' = 'failed',
    ): void {
      failedTx.immediate(deliveryId, error, now, next, status);
    },

    /** Attempts still `sending`: after a crash, these must be checked against the channel. */
    openAttempts(): OpenAttempt[] {
      return s.openAttempts.all().map((row) => ({ delivery: toDelivery(row), article: mustGet(row.article_id) }));
    },

    /** Articles stuck in `posting` without an open attempt (should not happen; repaired at start). */
    strandedPosting(): Article[] {
      return s.strandedPosting.all().map(toArticle);
    },

    /** Puts a stranded `posting` article back in the queue. */
    unstick(id: number, now: number): void {
      s.articleRetry.run({ id, retryAt: now, error: 'found in posting state without an open attempt', now, uncount: 0 });
    },

    /** Earliest time a released article becomes due, or null when none waits. */
    nextWakeAt(releasedThrough: number, onlyBreaking = false): number | null {
      // Stryker disable next-line OptionalChaining: an aggregate (MIN) always returns one row, so get() is never undefined
      return s.nextWake.get({ releasedThrough, onlyBreaking: onlyBreaking ? 1 : 0 })?.at ?? null;
    },

    /**
     * Cancels a queued or scheduled article. Returns the article as it now is and whether it changed;
     * a posting, posted, failed or already cancelled article is left alone.
     */
    cancel(id: number, now: number): { article: Article | undefined; changed: boolean } {
      const changed = s.cancel.run({ id, now }).changes === 1;
      return { article: get(id), changed };
    },

    /** Puts a failed article back in the queue with a fresh set of attempts. */
    retry(id: number, now: number): { article: Article | undefined; changed: boolean } {
      const changed = s.retry.run({ id, now }).changes === 1;
      return { article: get(id), changed };
    },

    /**
     * Whether the article had an attempt before this delivery, in its current life or an earlier one
     * (`retry` and re-queueing reset `attempts`, not the history): such a post may have landed late.
     */
    hadEarlierAttempt(articleId: number, deliveryId: number): boolean {
      return s.earlierAttempt.get(articleId, deliveryId) !== undefined;
    },

    /** Every delivery attempt of one article, oldest first. */
    deliveriesOf(articleId: number): Delivery[] {
      return s.deliveriesOf.all(articleId).map(toDelivery);
    },
  };
}

export type ArticleQueue = ReturnType<typeof createArticleQueue>;
export type { ArticleStatus };
