import { ZodError } from 'zod';
import type { ArticleInput } from '../articles/article.js';
import type { ArticleQueue } from './article-queue.js';
import type { Db } from './open-database.js';

/** What became of a story a feed showed us. */
export type FeedItemOutcome = 'queued' | 'seen' | 'capped' | 'filtered' | 'duplicate' | 'rejected';

/** The keys a story is recognised by, whichever feed or door it comes through. */
export interface StoryKeys {
  /** GUID, scoped to its feed unless globally unique (see story-keys.ts); null when the item has none. */
  guidKey: string | null;
  canonicalUrl: string;
  contentHash: string;
}

/** Whether a story is new to this feed, already known to it, or already known elsewhere. */
export type StoryLookup = { kind: 'new' } | { kind: 'known' } | { kind: 'duplicate'; of: string };

/** One story to record; `article` is queued when the outcome is `queued`. */
export interface ItemWrite {
  keys: StoryKeys;
  headline: string;
  outcome: FeedItemOutcome;
  article?: ArticleInput;
}

/** How a write ended: queued writes may turn out to be duplicates (another door was faster) or rejected. */
export interface ItemWritten {
  outcome: FeedItemOutcome;
  articleId: number | null;
  detail: string | null;
}

interface MatchRow {
  feed_id: number | null;
  article_id: number | null;
  outcome: FeedItemOutcome;
}

/**
 * Feed items: one row per story per feed, with its outcome. Dedupe looks a story up by its GUID key,
 * canonical URL and content hash across all feeds, and by canonical URL and content hash in the article
 * queue (stories queued by an admin, the CLI or the API).
 */
export function createFeedItemStore(db: Db, queue: ArticleQueue) {
  const s = {
    match: db.prepare<{ guid: string | null; url: string; hash: string }, MatchRow>(
      `SELECT feed_id, article_id, outcome FROM feed_items
       WHERE guid_key = @guid OR canonical_url = @url OR content_hash = @hash LIMIT 8`,
    ),
    article: db.prepare<[string], { id: number; status: string }>('SELECT id, status FROM articles WHERE canonical_url = ?'),
    articleByHash: db.prepare<[string], { id: number; status: string }>('SELECT id, status FROM articles WHERE content_hash = ? LIMIT 1'),
    feedExists: db.prepare<[number], { id: number }>('SELECT id FROM feeds WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO feed_items (feed_id, guid_key, canonical_url, content_hash, headline, outcome, article_id, seen_at)
       VALUES (@feedId, @guidKey, @canonicalUrl, @contentHash, @headline, @outcome, @articleId, @now)`,
    ),
  };

  function lookup(feedId: number, keys: StoryKeys): StoryLookup {
    const rows = s.match.all({ guid: keys.guidKey, url: keys.canonicalUrl, hash: keys.contentHash });
    if (rows.some((r) => r.feed_id === feedId)) return { kind: 'known' };
    const first = rows[0];
    if (first) {
      if (first.article_id !== null) return { kind: 'duplicate', of: `article ${first.article_id}` };
      return { kind: 'duplicate', of: first.feed_id === null ? 'a story of a removed feed' : `a story of feed ${first.feed_id}` };
    }
    const article = s.article.get(keys.canonicalUrl) ?? s.articleByHash.get(keys.contentHash);
    if (article) return { kind: 'duplicate', of: `article ${article.id} (${article.status})` };
    return { kind: 'new' };
  }

  const lookupManyTx = db.transaction((feedId: number, keys: readonly StoryKeys[]) => keys.map((k) => lookup(feedId, k)));

  const recordTx = db.transaction((feedId: number, writes: readonly ItemWrite[], now: number, finish?: () => void): ItemWritten[] | null => {
    if (!s.feedExists.get(feedId)) return null;
    const results = writes.map((write): ItemWritten => {
      if (write.outcome !== 'queued') return { outcome: write.outcome, articleId: null, detail: null };
      // Looked up again inside the write transaction: another process may have queued it since.
      const again = lookup(feedId, write.keys);
      if (again.kind !== 'new') return { outcome: 'duplicate', articleId: null, detail: again.kind === 'duplicate' ? again.of : 'already seen' };
      if (!write.article) throw new Error('a queued feed item needs its article');
      return { outcome: 'queued', articleId: null, detail: null };
    });
    const toQueue = writes.flatMap((write, i) => (results[i]!.outcome === 'queued' ? [i] : []));
    const enqueued = queue.enqueueMany(
      toQueue.map((i) => writes[i]!.article!),
      now,
    );
    toQueue.forEach((i, n) => {
      const outcome = enqueued[n]!;
      if (outcome instanceof ZodError) results[i] = { outcome: 'rejected', articleId: null, detail: outcome.issues.map((issue) => issue.message).join('; ') };
      else if (outcome.outcome !== 'created') results[i] = { outcome: 'duplicate', articleId: outcome.article.id, detail: `article ${outcome.article.id}` };
      else results[i] = { outcome: 'queued', articleId: outcome.article.id, detail: null };
    });
    writes.forEach((write, i) => {
      const result = results[i]!;
      s.insert.run({ feedId, ...write.keys, headline: write.headline, outcome: result.outcome, articleId: result.articleId, now });
    });
    finish?.();
    return results;
  });

  return {
    /** Whether this story is new to the feed, known to it, or a duplicate of a story seen elsewhere. */
    lookup,

    /** `lookup` of many stories against one snapshot of the database (one read transaction). */
    lookupMany(feedId: number, keys: readonly StoryKeys[]): StoryLookup[] {
      return lookupManyTx.deferred(feedId, keys);
    },

    /**
     * Records a batch of stories in one transaction, queueing those marked `queued` (each re-checked
     * first), and runs `finish` in the same transaction (the poll's own record: one commit, one fsync).
     * Returns null, writing nothing, when the feed was removed meanwhile.
     */
    record(feedId: number, writes: readonly ItemWrite[], now: number, finish?: () => void): ItemWritten[] | null {
      return recordTx.immediate(feedId, writes, now, finish);
    },
  };
}

export type FeedItemStore = ReturnType<typeof createFeedItemStore>;
