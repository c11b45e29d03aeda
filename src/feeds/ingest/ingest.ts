import type { ArticleInput } from '../../articles/article.js';
import type { Feed } from '../../store/feed-store.js';
import { sameStamp, type FeedItemStore, type ItemWrite, type LookupStamp, type StoryKeys } from '../../store/feed-item-store.js';
import { mapItemKeys, type KeyedItem } from '../map/map-item.js';
import type { ParsedFeed } from '../parse/feed-document.js';
import { SKIPPED_LISTED, type QueuedStory, type SkipReason, type SkippedStory } from '../poll/poll-report.js';
import { filterVerdict } from './keywords.js';
import type { TimeSlicer } from './time-slicer.js';

export interface IngestDeps {
  items: FeedItemStore;
  now: () => number;
  /** Gives the event loop a turn (posting, commands) between slices of work. */
  slicer: TimeSlicer;
  /** True once the service is stopping: no further batch is written. */
  stopping: () => boolean;
  /** Called after each batch that queued something (wakes the dispatcher). */
  onQueued?: (count: number) => void;
  /** Runs a batch's transaction in the service's group commit; resolves once it is durable. */
  commit: <T>(write: () => T) => Promise<T>;
  /** Written in the same transaction as the last batch (the poll's outcome on the feed): see `finished`. */
  finish?: () => void;
}

/** What ingesting one document did; `abandoned` when the feed vanished or the service stopped midway. */
export interface IngestResult {
  itemsInFeed: number;
  known: number;
  queued: QueuedStory[];
  skipped: Partial<Record<SkipReason, number>>;
  skippedStories: SkippedStory[];
  abandoned: string | null;
  /** Whether `finish` ran (with the last batch); false when there was nothing to write. */
  finished: boolean;
}

/** First guess of the cost of writing one story (queued ones cost most), corrected after each batch. */
const FIRST_GUESS_MS_PER_ITEM = 0.04;

/** Slices of work one write transaction may take (its commit comes on top: one fsync, a few ms). */
const WRITE_SLICES = 4;

/**
 * The same while nothing else has used the event loop lately (the slicer is quiet). A commit costs a few
 * ms whatever its size, and more the more index pages the batch touched (story hashes are random, so a
 * batch touches about one page per story): bigger batches when no one waits cut a big feed's commits
 * threefold. Busy turns (a breaking post, a command) bring the batches back to WRITE_SLICES at once.
 */
const QUIET_WRITE_SLICES = 12;

/** Stories written in one transaction at most. */
const MAX_BATCH = 5_000;

/** Stories mapped and looked up between two checks of the time slice (about 1–2 ms of work). */
const LOOKUP_CHUNK = 100;

/** What is to become of a story; its write (for a queued one: its summary read, its article made) is built with its batch. */
interface Planned {
  item: KeyedItem;
  outcome: ItemWrite['outcome'];
  reason: SkipReason | null;
  detail: string | null;
}

/**
 * Maps, deduplicates, filters and queues a feed's items. New stories: on the first poll all are marked
 * seen except the newest `backfill`; later, the newest up to `maxPerPoll` are queued and the rest
 * recorded as over the cap. Work is done in time slices with the event loop free in between, and
 * written in transactions sized to a slice, so a 10,000-item feed never holds up a breaking post long.
 */
export async function ingestItems(feed: Feed, parsed: ParsedFeed, feedUrl: string, deps: IngestDeps): Promise<IngestResult> {
  const result: IngestResult = { itemsInFeed: parsed.count, known: 0, queued: [], skipped: {}, skippedStories: [], abandoned: null, finished: false };
  const skip = (reason: SkipReason, headline: string | null, url: string | null, detail: string | null) => {
    result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
    if (result.skippedStories.length < SKIPPED_LISTED) result.skippedStories.push({ reason, headline, url, detail });
  };

  const fresh: KeyedItem[] = [];
  const decided: Planned[] = [];
  // No two stories of a poll share a key, so writing one never changes what another's lookup found.
  const inThisPoll = new Set<string>();
  // The database as every chunk's lookups saw it; null when it changed between chunks (then the writes look up again).
  let stamp: LookupStamp | null | undefined;
  // Mapped in chunks; each chunk's stories are looked up against one snapshot of the database.
  // Equivalent survivor, not marked (a mark would hide the killed `>=`): `<=` adds one empty chunk, which looks nothing up.
  for (let start = 0; start < parsed.count; start += LOOKUP_CHUNK) {
    await deps.slicer.tick();
    const chunk: KeyedItem[] = [];
    for (let i = start; i < Math.min(parsed.count, start + LOOKUP_CHUNK); i += 1) {
      const mapped = mapItemKeys(parsed.item(i), i, feed.id, feedUrl);
      if (!mapped.ok) {
        skip(mapped.reason, mapped.headline, mapped.link, null);
        continue;
      }
      const item = mapped.item;
      const keys = [item.guidKey, item.canonicalUrl, item.contentHash];
      // Equivalent survivor, not marked (a mark would hide killed mutants): `k !== null` as `true`; null is never in the set.
      if (keys.some((k) => k !== null && inThisPoll.has(k))) {
        skip('duplicate', item.headline, item.url, 'listed twice in this feed');
        continue;
      }
      // Equivalent survivor, not marked (a mark would hide the killed `false`): `true` adds null to the set, where it is never looked for.
      for (const k of keys) if (k !== null) inThisPoll.add(k);
      chunk.push(item);
    }
    const looked = deps.items.lookupMany(feed.id, chunk);
    // Stryker disable next-line ConditionalExpression: a null stamp only makes the writes look every story up again (same outcome, slower)
    stamp = stamp === undefined || (stamp !== null && sameStamp(stamp, looked.stamp)) ? looked.stamp : null;
    looked.found.forEach((known, n) => {
      const item = chunk[n]!;
      if (known.kind === 'known') result.known += 1;
      // Equivalent survivor, not marked (a mark would hide killed strings): the reason '' ; a duplicate is reported by its write's outcome.
      else if (known.kind === 'duplicate') decided.push(plan(item, 'duplicate', 'duplicate', `already ${known.of}`));
      else fresh.push(item);
    });
  }

  const filter = { include: feed.include, exclude: feed.exclude };
  const filtering = filter.include.length > 0 || filter.exclude.length > 0;
  const eligible: KeyedItem[] = [];
  for (const item of fresh) {
    // The summary is read only when a filter needs it (or the story is queued, below).
    const verdict = filtering ? filterVerdict(`${item.headline} ${item.details().summary}`, filter) : null;
    if (verdict) decided.push(plan(item, 'filtered', 'filtered', verdict));
    else eligible.push(item);
  }
  eligible.sort(newestFirst);
  const take = feed.primed ? feed.maxPerPoll : feed.backfill;
  const chosen = eligible.slice(0, take).reverse(); // oldest of the chosen first: they post in story order
  for (const item of eligible.slice(take)) {
    decided.push(feed.primed ? plan(item, 'capped', 'over-cap', `more than ${feed.maxPerPoll} new stories in one poll`) : plan(item, 'seen', 'seen-on-first-poll', null));
  }
  const writes: Planned[] = [...chosen.map((item) => plan(item, 'queued', null, null)), ...decided];

  // Each batch is one transaction whose statements take about WRITE_SLICES slices, from the cost per
  // story measured so far. The commit's fsync is a fixed cost per batch, left out of that measure: counted
  // in, it shrank the batches until a big feed paid thousands of fsyncs (seconds, on a shared disk).
  let msPerItem = FIRST_GUESS_MS_PER_ITEM;
  for (let start = 0; start < writes.length; ) {
    await deps.slicer.pause();
    if (deps.stopping()) {
      result.abandoned = 'the feed service is stopping';
      break;
    }
    const slices = deps.slicer.quiet() ? QUIET_WRITE_SLICES : WRITE_SLICES;
    const size = Math.min(MAX_BATCH, Math.max(10, Math.floor((slices * deps.slicer.budgetMs) / msPerItem)));
    const batch = writes.slice(start, start + size);
    // Built per batch, not all at once: a big feed's articles are not all kept in memory until the last commit.
    const batchWrites = batch.map((p) => writeOf(feed, p));
    start += batch.length;
    const last = start >= writes.length;
    let workMs = 0;
    const recorded = await deps.commit(() => {
      const began = performance.now();
      // Stryker disable next-line LogicalOperator: a null stamp only makes record() look the stories up again (same outcome, slower)
      const done = deps.items.record(feed.id, batchWrites, deps.now(), last ? deps.finish : undefined, stamp ?? null);
      workMs = performance.now() - began;
      return done;
    });
    // Stryker disable next-line LogicalOperator: a null stamp only makes record() look the stories up again (same outcome, slower)
    stamp = recorded?.stamp ?? null;
    const written = recorded?.written ?? null;
    if (last && written && deps.finish) result.finished = true;
    msPerItem = Math.max(0.002, workMs / batch.length);
    if (!written) {
      result.abandoned = 'the feed was removed during the poll';
      break;
    }
    let queuedNow = 0;
    written.forEach((w, i) => {
      const { item, reason, detail } = batch[i]!;
      // Equivalent survivors, not marked (a mark would hide killed mutants too): either part as `true`; record() gives an article id to queued writes only.
      // Stryker disable next-line LogicalOperator: record() gives an article id to queued writes only (its queue check finds nothing its lookups missed)
      if (w.outcome === 'queued' && w.articleId !== null) {
        result.queued.push({ articleId: w.articleId, headline: item.headline, url: item.url });
        queuedNow += 1;
      } else if (w.outcome === 'duplicate' || w.outcome === 'rejected') {
        skip(w.outcome, item.headline, item.url, w.detail ?? detail);
      // Equivalent survivor, not marked (a mark would hide the killed `false`): `true`; only queued writes have no reason, handled above.
      } else if (reason) {
        skip(reason, item.headline, item.url, detail);
      }
    });
    if (queuedNow > 0) deps.onQueued?.(queuedNow);
  }
  return result;
}

function plan(item: KeyedItem, outcome: ItemWrite['outcome'], reason: SkipReason | null, detail: string | null): Planned {
  return { item, outcome, reason, detail };
}

function writeOf(feed: Feed, { item, outcome }: Planned): ItemWrite {
  return outcome === 'queued' ? queuedWrite(feed, item) : { keys: keysOf(item), headline: item.headline, outcome };
}

function queuedWrite(feed: Feed, item: KeyedItem): ItemWrite {
  const { summary, imageUrl } = item.details();
  const article: ArticleInput = {
    headline: item.headline,
    summary,
    url: item.url,
    imageUrl: imageUrl ?? undefined,
    category: feed.category ?? undefined,
    priority: feed.priority,
    source: `feed:${feed.id}`,
  };
  return { keys: keysOf(item), headline: item.headline, outcome: 'queued', article };
}

function keysOf(item: KeyedItem): StoryKeys {
  return { guidKey: item.guidKey, canonicalUrl: item.canonicalUrl, contentHash: item.contentHash };
}

/** By publication date, newest first; undated items after dated ones, in document order. Exported for its tests. */
export function newestFirst(a: Pick<KeyedItem, 'publishedAt' | 'position'>, b: Pick<KeyedItem, 'publishedAt' | 'position'>): number {
  if (a.publishedAt !== null && b.publishedAt !== null && a.publishedAt !== b.publishedAt) return b.publishedAt - a.publishedAt;
  if (a.publishedAt === null && b.publishedAt !== null) return 1;
  if (a.publishedAt !== null && b.publishedAt === null) return -1;
  return a.position - b.position;
}
