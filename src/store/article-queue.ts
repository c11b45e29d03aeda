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
import { createArticleChannels, type ArticleChannel, type RouteArticle } from './article-channels.js';
import { createChannelClaims, type Claim, type ClaimableChannels, type ClaimScope, type OpenAttempt, type Render } from './channel-claims.js';

export type { Claim, ClaimableChannels, ClaimScope, OpenAttempt, Render, RouteArticle, ArticleChannel };

/** What enqueue did: a new article, the one already known for that link, or a cancelled/failed one queued again. */
export type EnqueueOutcome = 'created' | 'existing' | 'requeued';

export interface EnqueueResult {
  article: Article;
  outcome: EnqueueOutcome;
}

/**
 * The article queue: every state change of an article and its delivery rows, each in one transaction.
 * Time is always passed in (epoch ms), so callers decide what "now" is.
 */
/** A link's canonical form and a story's hash, as canonicalUrl(url) and storyHash(headline, canonical) give them. */
export interface KnownKeys {
  url: string;
  headline: string;
  canonicalUrl: string;
  contentHash: string;
  /**
   * The caller looked both keys up in this transaction's database as it still is and found no article
   * (a feed whose lookup stamp still holds): not looked up again. Only for the same link and headline.
   */
  absent?: boolean;
}

export interface ArticleQueueOptions {
  /** The default channel's short name (NEWSDESK_CHANNEL_NAME). Default `main`. */
  defaultChannel?: string;
  /** Which channels an article goes to (editions/routing.ts). Default: the default channel only. */
  route?: RouteArticle;
}

export function createArticleQueue(db: Db, options: ArticleQueueOptions = {}) {
  const defaultChannel = options.defaultChannel ?? 'main';
  const route: RouteArticle = options.route ?? ((_article, explicit) => (explicit && explicit.length > 0 ? [...explicit] : [defaultChannel]));
  const channels = createArticleChannels(db);
  // Rows from before several channels (migration 010) take the default channel's name, once.
  if (channels.needsAdoption()) db.transaction(() => channels.adopt(defaultChannel)).immediate();
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
    deliveryById: db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?'),
    noteMessageId: db.prepare(`UPDATE deliveries SET message_id = @messageId WHERE id = @id AND status = 'sending'`),
    deliveriesOf: db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE article_id = ? ORDER BY id'),
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
  const enqueueValid = (valid: ValidArticleInput, now: number, requeueEnded = true, explicit?: readonly string[], known?: KnownKeys): EnqueueResult => {
    // Keys a caller already worked out for this very link (and headline) are not worked out again.
    const sameLink = known !== undefined && known.url === valid.url;
    const sameStory = sameLink && known.headline === valid.headline;
    const canonical = sameLink ? known.canonicalUrl : canonicalUrl(valid.url);
    const values = {
      headline: valid.headline,
      summary: valid.summary,
      url: valid.url,
      canonicalUrl: canonical,
      contentHash: sameStory ? known.contentHash : storyHash(valid.headline, canonical),
      imageUrl: valid.imageUrl ?? null,
      category: valid.category ?? null,
      priority: valid.priority,
      publishAt: valid.publishAt ?? now,
      timed: valid.publishAt === undefined ? 0 : 1,
      source: valid.source,
      now,
    };
    // The same link in any spelling, or the same story at another URL of the site (www., a new GUID).
    const existing = sameStory && known.absent === true ? undefined : (s.byCanonical.get(canonical) ?? s.byStoryHash.get(values.contentHash));
    if (existing) {
      if (requeueEnded && (existing.status === 'cancelled' || existing.status === 'failed')) {
        const row = s.requeue.get({ ...values, id: existing.id });
        // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, the row was just read in this transaction
        if (!row) throw new Error(`article ${existing.id} vanished inside a transaction`);
        channels.route(row.id, route(toArticle(row), explicit), now);
        return { article: mustGet(row.id), outcome: 'requeued' };
      }
      // Named channels it has not gone to yet take it now (`queue channel=sport <a link already on main>`).
      if (explicit && explicit.length > 0 && channels.addMissing(existing.id, route(toArticle(existing), explicit), now) > 0) {
        return { article: mustGet(existing.id), outcome: 'requeued' };
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
    // Its channels, in the same transaction (the new row's aggregate is already right: queued, no attempts).
    channels.routeNew(id, route(article, explicit), now);
    return { article, outcome: 'created' };
  };
  const enqueueTx = db.transaction(enqueueValid);
  const enqueueManyTx = db.transaction((entries: readonly (ValidArticleInput | ZodError)[], now: number, known: readonly (KnownKeys | undefined)[]) =>
    entries.map((entry, i): EnqueueResult | ZodError => (entry instanceof ZodError ? entry : enqueueValid(entry, now, true, undefined, known[i]))),
  );

  const claims = createChannelClaims(db, channels, mustGet);
  const cancelTx = db.transaction((id: number, now: number, channel?: string) => channels.cancel(id, now, channel));
  const retryTx = db.transaction((id: number, now: number) => channels.retry(id, now));

  return {
    /**
     * Validates and queues an article. A link already queued, posting or posted returns that article
     * (outcome `existing`); a cancelled or failed one is queued again with the new content, unless
     * `requeueEnded` is false (the API: a CMS retrying must not undo an editor's cancel), when it too is
     * returned as `existing`. Throws ZodError on invalid input, with nothing written.
     */
    enqueue(input: ArticleInput, now: number, options: { requeueEnded?: boolean; channels?: readonly string[] } = {}): EnqueueResult {
      const valid = articleInputSchema().parse(input);
      // Stryker disable next-line LogicalOperator: `&& true` passes undefined on, and enqueueValid's default parameter makes that true
      return enqueueTx.immediate(valid, now, options.requeueEnded ?? true, options.channels);
    },

    /**
     * Queues many articles in one transaction (nested in the caller's, when there is one), each as
     * `enqueue` would. An invalid input gets its ZodError in its place and is not written; the others are.
     * `known[i]`: the canonical link and story hash of input i, when the caller has them (a feed does);
     * used only when the validated link and headline are the ones they were worked out from.
     */
    enqueueMany(inputs: readonly ArticleInput[], now: number, known: readonly (KnownKeys | undefined)[] = []): (EnqueueResult | ZodError)[] {
      const entries = inputs.map((input) => {
        const parsed = articleInputSchema().safeParse(input);
        return parsed.success ? parsed.data : parsed.error;
      });
      return enqueueManyTx.immediate(entries, now, known);
    },

    get,

    /** The default channel's short name (where an article goes when no channel matches it). */
    defaultChannel,

    /**
     * Takes the next due (article, channel) and records the attempt (channel-claims.ts). The one-channel
     * form `claimNext(now, released, name, render, onlyBreaking)` takes from any channel (tests, benches).
     */
    claimNext(now: number, releasedThrough: number, on: ClaimScope | string, render: Render, onlyBreaking = false): Claim | null {
      const scope: ClaimScope = typeof on === 'string' ? (onlyBreaking ? { anyBreakingOnly: true } : 'any') : on;
      return claims.claimNext(now, releasedThrough, scope, render);
    },

    attemptStartsSince: claims.attemptStartsSince,
    lastAttemptAt: claims.lastAttemptAt,

    /** Remembers the id WhatsApp gave a sent message before it is confirmed. */
    noteMessageId(deliveryId: number, messageId: string): void {
      s.noteMessageId.run({ id: deliveryId, messageId });
    },

    markPosted: claims.markPosted,
    markFailed: claims.markFailed,
    openAttempts: claims.openAttempts,
    strandedPosting: claims.strandedPosting,
    unstick: claims.unstick,

    /** Earliest time a released (article, channel) becomes due, or null when none waits. */
    nextWakeAt(releasedThrough: number, on: ClaimScope | boolean = false): number | null {
      return claims.nextWakeAt(releasedThrough, typeof on === 'boolean' ? (on ? { anyBreakingOnly: true } : 'any') : on);
    },

    /**
     * Cancels what still waits of an article (on `channel` only, when given). Returns the article as it
     * now is and whether anything changed; channels posting, posted, failed or cancelled are left alone.
     */
    cancel(id: number, now: number, channel?: string): { article: Article | undefined; changed: boolean } {
      const changed = cancelTx.immediate(id, now, channel) > 0;
      return { article: get(id), changed };
    },

    /** Puts the failed channels of an article back in the queue with a fresh set of attempts. */
    retry(id: number, now: number): { article: Article | undefined; changed: boolean } {
      const changed = retryTx.immediate(id, now) > 0;
      return { article: get(id), changed };
    },

    /** Each channel the article goes to, with that channel's own delivery state. */
    channelsOf(articleId: number): ArticleChannel[] {
      return channels.rowsOf(articleId);
    },

    /** Deliveries per channel and status (every article's every channel). */
    countsByChannel: channels.countsByChannel,

    hadEarlierAttempt: claims.hadEarlierAttempt,

    /** Every delivery attempt of one article, oldest first. */
    deliveriesOf(articleId: number): Delivery[] {
      return s.deliveriesOf.all(articleId).map(toDelivery);
    },
  };
}

export type ArticleQueue = ReturnType<typeof createArticleQueue>;
export type { ArticleStatus };
