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
  id: number;
  feed_id: number | null;
  article_id: number | null;
  outcome: FeedItemOutcome;
  guid_key: string | null;
  canonical_url: string;
  content_hash: string;
}

interface ArticleMatchRow {
  id: number;
  status: string;
  canonical_url: string;
  content_hash: string;
}

/**
 * Feed items: one row per story per feed, with its outcome. Dedupe looks a story up by its GUID key,
 * canonical URL and content hash across all feeds, and by canonical URL and content hash in the article
 * queue (stories queued by an admin, the CLI or the API).
 */
export function createFeedItemStore(db: Db, queue: ArticleQueue) {
  // Many stories are looked up with one statement per table (the keys passed as JSON arrays), not
  // three to five statements per story: for a big feed the per-statement cost was most of the lookup.
  const s = {
    matches: db.prepare<{ guids: string; urls: string; hashes: string }, MatchRow>(
      `SELECT id, feed_id, article_id, outcome, guid_key, canonical_url, content_hash FROM feed_items
         WHERE guid_key IN (SELECT value FROM json_each(@guids))
       UNION ALL SELECT id, feed_id, article_id, outcome, guid_key, canonical_url, content_hash FROM feed_items
         WHERE canonical_url IN (SELECT value FROM json_each(@urls))
       UNION ALL SELECT id, feed_id, article_id, outcome, guid_key, canonical_url, content_hash FROM feed_items
         WHERE content_hash IN (SELECT value FROM json_each(@hashes))`,
    ),
    articles: db.prepare<{ urls: string; hashes: string }, ArticleMatchRow>(
      `SELECT id, status, canonical_url, content_hash FROM articles WHERE canonical_url IN (SELECT value FROM json_each(@urls))
       UNION ALL SELECT id, status, canonical_url, content_hash FROM articles WHERE content_hash IN (SELECT value FROM json_each(@hashes))`,
    ),
    feedExists: db.prepare<[number], { id: number }>('SELECT id FROM feeds WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO feed_items (feed_id, guid_key, canonical_url, content_hash, headline, outcome, article_id, seen_at)
       VALUES (@feedId, @guidKey, @canonicalUrl, @contentHash, @headline, @outcome, @articleId, @now)`,
    ),
  };

  /** Each story's verdict, from one look at feed_items and one at articles for all of them. */
  function lookupAll(feedId: number, keys: readonly StoryKeys[]): StoryLookup[] {
    if (keys.length === 0) return [];
    const urls = JSON.stringify(keys.map((k) => k.canonicalUrl));
    const hashes = JSON.stringify(keys.map((k) => k.contentHash));
    const guids = JSON.stringify(keys.flatMap((k) => (k.guidKey === null ? [] : [k.guidKey])));
    const byKey = new Map<string, MatchRow[]>();
    const add = <R>(map: Map<string, R[]>, key: string | null, row: R) => {
      if (key === null) return;
      const list = map.get(key);
      if (list) list.push(row);
      else map.set(key, [row]);
    };
    // Keys are prefixed by kind: a GUID that happens to equal some URL must not match it.
    for (const row of s.matches.all({ guids, urls, hashes })) {
      add(byKey, row.guid_key === null ? null : `g ${row.guid_key}`, row);
      add(byKey, `u ${row.canonical_url}`, row);
      add(byKey, `h ${row.content_hash}`, row);
    }
    const articleByUrl = new Map<string, ArticleMatchRow>();
    const articleByHash = new Map<string, ArticleMatchRow>();
    for (const row of s.articles.all({ urls, hashes })) {
      const url = articleByUrl.get(row.canonical_url);
      if (!url || row.id < url.id) articleByUrl.set(row.canonical_url, row);
      const hash = articleByHash.get(row.content_hash);
      if (!hash || row.id < hash.id) articleByHash.set(row.content_hash, row);
    }
    return keys.map((k): StoryLookup => {
      const rows = [...(k.guidKey === null ? [] : (byKey.get(`g ${k.guidKey}`) ?? [])), ...(byKey.get(`u ${k.canonicalUrl}`) ?? []), ...(byKey.get(`h ${k.contentHash}`) ?? [])];
      if (rows.some((r) => r.feed_id === feedId)) return { kind: 'known' };
      // The oldest record of the story names what it duplicates.
      const first = rows.reduce<MatchRow | undefined>((a, r) => (a === undefined || r.id < a.id ? r : a), undefined);
      if (first) {
        if (first.article_id !== null) return { kind: 'duplicate', of: `article ${first.article_id}` };
        return { kind: 'duplicate', of: first.feed_id === null ? 'a story of a removed feed' : `a story of feed ${first.feed_id}` };
      }
      const article = articleByUrl.get(k.canonicalUrl) ?? articleByHash.get(k.contentHash);
      if (article) return { kind: 'duplicate', of: `article ${article.id} (${article.status})` };
      return { kind: 'new' };
    });
  }

  const lookup = (feedId: number, keys: StoryKeys): StoryLookup => lookupAll(feedId, [keys])[0]!;

  const lookupManyTx = db.transaction((feedId: number, keys: readonly StoryKeys[]) => lookupAll(feedId, keys));

  const recordTx = db.transaction((feedId: number, writes: readonly ItemWrite[], now: number, finish?: () => void): ItemWritten[] | null => {
    if (!s.feedExists.get(feedId)) return null;
    // Looked up again inside the write transaction: another poll or process may have taken them since.
    const queued = writes.flatMap((write) => (write.outcome === 'queued' ? [write.keys] : []));
    const again = lookupAll(feedId, queued);
    let n = 0;
    const results = writes.map((write): ItemWritten => {
      if (write.outcome !== 'queued') return { outcome: write.outcome, articleId: null, detail: null };
      const verdict = again[n++]!;
      if (verdict.kind !== 'new') return { outcome: 'duplicate', articleId: null, detail: verdict.kind === 'duplicate' ? verdict.of : 'already seen' };
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
