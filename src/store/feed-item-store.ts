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

/**
 * What the database was when stories were looked up: SQLite's `data_version` (changes when another
 * connection commits) and this connection's `total_changes()` (every row it has written). While both
 * stay the same, nothing anyone wrote can have changed a lookup's answer.
 */
export interface LookupStamp {
  dataVersion: number;
  totalChanges: number;
}

/** Whether two stamps are of the same database state. */
export function sameStamp(a: LookupStamp, b: LookupStamp): boolean {
  return a.dataVersion === b.dataVersion && a.totalChanges === b.totalChanges;
}

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

/** A batch's outcomes, in order, and the stamp after it (see LookupStamp); null once lookups had to be redone. */
export interface RecordResult {
  written: ItemWritten[];
  stamp: LookupStamp | null;
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
    totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
    // Prepared once: db.pragma() compiles its statement on every call (twice per chunk of a big feed).
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
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

  const stampNow = (): LookupStamp => ({ dataVersion: s.dataVersion.get()!, totalChanges: s.totalChanges.get()! });

  const lookupManyTx = db.transaction((feedId: number, keys: readonly StoryKeys[]) => ({ found: keys.map((k) => lookup(feedId, k)), stamp: stampNow() }));

  const recordTx = db.transaction((feedId: number, writes: readonly ItemWrite[], now: number, finish: (() => void) | undefined, lookedUp: LookupStamp | null): RecordResult | null => {
    if (!s.feedExists.get(feedId)) return null;
    // Nothing written since the lookups (by anyone, this connection included): their answers still hold.
    const unchanged = lookedUp !== null && sameStamp(lookedUp, stampNow());
    const results = writes.map((write): ItemWritten => {
      if (write.outcome !== 'queued') return { outcome: write.outcome, articleId: null, detail: null };
      if (!write.article) throw new Error('a queued feed item needs its article');
      if (unchanged) return { outcome: 'queued', articleId: null, detail: null };
      // Looked up again inside the write transaction: another process or door may have queued it since.
      const again = lookup(feedId, write.keys);
      if (again.kind !== 'new') return { outcome: 'duplicate', articleId: null, detail: again.kind === 'duplicate' ? again.of : 'already seen' };
      return { outcome: 'queued', articleId: null, detail: null };
    });
    const toQueue = writes.flatMap((write, i) => (results[i]!.outcome === 'queued' ? [i] : []));
    const enqueued = queue.enqueueMany(
      toQueue.map((i) => writes[i]!.article!),
      now,
      // The link's canonical form and story hash the feed already worked out (used when the link and headline
      // match), and, while the lookups still hold, that no article has either (they are not looked up again).
      toQueue.map((i) => ({
        url: writes[i]!.article!.url,
        headline: writes[i]!.headline,
        canonicalUrl: writes[i]!.keys.canonicalUrl,
        contentHash: writes[i]!.keys.contentHash,
        absent: unchanged,
      })),
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
    // The stamp after this batch: when the next batch finds it unchanged, only this batch wrote in between,
    // and a batch never changes another's answers (a poll's stories share no key: see ingest.ts).
    // Once a batch found the database changed, the later batches' lookups are stale too: they are redone.
    return { written: results, stamp: unchanged ? stampNow() : null };
  });

  return {
    /** Whether this story is new to the feed, known to it, or a duplicate of a story seen elsewhere. */
    lookup,

    /** `lookup` of many stories against one snapshot of the database (one read transaction), and its stamp. */
    lookupMany(feedId: number, keys: readonly StoryKeys[]): { found: StoryLookup[]; stamp: LookupStamp } {
      return lookupManyTx.deferred(feedId, keys);
    },

    /**
     * Records a batch of stories in one transaction, queueing those marked `queued` (each re-checked
     * first), and runs `finish` in the same transaction (the poll's own record: one commit, one fsync).
     * Returns null, writing nothing, when the feed was removed meanwhile. `lookedUp`: the stamp of the
     * lookups these stories were planned from (or of the previous batch); when the database still has
     * it, the stories are not looked up again. Returns the stamp to pass with the next batch.
     */
    record(feedId: number, writes: readonly ItemWrite[], now: number, finish?: () => void, lookedUp: LookupStamp | null = null): RecordResult | null {
      return recordTx.immediate(feedId, writes, now, finish, lookedUp);
    },
  };
}

export type FeedItemStore = ReturnType<typeof createFeedItemStore>;
