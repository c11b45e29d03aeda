import { setMaxListeners } from 'node:events';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { ArticleQueue } from '../store/article-queue.js';
import { createCommitGroup } from '../store/commit-group.js';
import { createFeedItemStore } from '../store/feed-item-store.js';
import { createFeedStore, type Feed } from '../store/feed-store.js';
import type { Db } from '../store/open-database.js';
import { FeedFetchError, FeedParseError, FeedSettingsError, type FeedFailureKind } from './errors.js';
import { createGuardedAgent, type GuardOptions } from './fetch/address-guard.js';
import { USER_AGENT, type FetchFunction } from './fetch/fetch-feed.js';
import { pollFeed, readFeed, type HttpSettings, type ReadResult } from './poll/poll-feed.js';
import type { PollReport } from './poll/poll-report.js';
import { createPoller } from './poll/poller.js';
import { createTimeSlicer, nextTurn } from './ingest/time-slicer.js';
import { DEFAULT_FEED_DEFAULTS, normaliseFeedUrl, resolveFeedSettings, type FeedDefaults, type FeedSettingsInput } from './settings.js';

export interface FeedServiceOptions {
  db: Db;
  queue: ArticleQueue;
  clock: Clock;
  log: Logger;
  /** Replaces undici's fetch (tests of the network edge only; the feed tests use a real server). */
  fetch?: FetchFunction;
  /**
   * How host names are resolved and a hook before each connection (tests: no name or connection leaves
   * loopback). Link-local and cloud metadata addresses are refused either way (address-guard.ts).
   */
  guard?: GuardOptions;
  /** Called after a batch of stories was queued: wire it to the dispatcher's wake(). */
  onQueued?: (count: number) => void;
  /** Called with every poll's report (metrics count the failed ones). */
  onPolled?: (report: PollReport) => void;
  /** Interval and per-poll cap for feeds that do not set their own (5 minutes, 10 stories). */
  defaults?: Partial<FeedDefaults>;
  /** Timeout (15 s), size cap (10 MB), redirect limit (5) and User-Agent of feed fetches. */
  http?: Partial<Omit<HttpSettings, 'fetch'>>;
  /**
   * Feeds polled at once by the poller. Default 16: a poll mostly waits (for the site, then for the
   * group commit it shares with the others), so many in flight cost little and share one fsync.
   */
  concurrency?: number;
  /**
   * Milliseconds of feed work between two turns of the event loop (the dispatcher posts one article
   * per turn, so this bounds how long a breaking post waits behind a big feed). Default 5.
   */
  sliceMs?: number;
}

/** How a feed is doing, in one word: never polled yet, fine, failing (with back-off), or paused. */
export type FeedHealth = 'new' | 'ok' | 'failing' | 'paused';

/** A feed as `feeds` shows it: its settings and state, and what became of its stories so far. */
export interface FeedView extends Omit<Feed, 'etag' | 'lastModified' | 'bodyHash'> {
  health: FeedHealth;
  /** Stories per outcome over the feed's life: queued, seen, capped, filtered, duplicate, rejected. */
  stories: Record<string, number>;
}

/**
 * What `feed add` did: added and polled once; found the URL already there; or refused it because its
 * first read failed (a 404, a web page, not a feed …), with the feed a web page names, if it does.
 */
export type AddResult =
  | { status: 'added'; feed: FeedView; poll: PollReport }
  | { status: 'exists'; feed: FeedView }
  | { status: 'refused'; url: string; kind: FeedFailureKind; reason: string; advertisedFeed: string | null };

export interface AddOptions {
  /** Store the feed even when its first read fails (it is only down for now): it is retried with back-off. */
  force?: boolean;
}

/** What seeding from NEWSDESK_FEEDS did, URL by URL. */
export interface SeedResult {
  added: FeedView[];
  existing: FeedView[];
  invalid: { url: string; error: string }[];
}

/**
 * The feed engine behind the `feeds` / `feed …` commands and NEWSDESK_FEEDS: stores feeds, polls
 * each on its own schedule, and queues what is new. Expected outcomes are values (null for an unknown
 * id, a union for add and poll); invalid settings throw FeedSettingsError with every problem listed.
 */
export function createFeedService(options: FeedServiceOptions) {
  const { db, queue, clock, log } = options;
  const feeds = createFeedStore(db);
  const items = createFeedItemStore(db, queue);
  // Polls finishing together commit together: one fsync for several polls' stories and feed states.
  // A poll waits for at most one write at a time, so with every poll in flight waiting, the group is complete.
  const group = createCommitGroup(db, { writers: () => inFlight.size });
  const commit = <T>(write: () => T): Promise<T> => group.run(write);
  const defaults: FeedDefaults = { ...DEFAULT_FEED_DEFAULTS, ...options.defaults };
  const http: HttpSettings = {
    timeoutMs: options.http?.timeoutMs ?? 15_000,
    maxBytes: options.http?.maxBytes ?? 10 * 1024 * 1024,
    maxRedirects: options.http?.maxRedirects ?? 5,
    userAgent: options.http?.userAgent ?? USER_AGENT,
    fetch: options.fetch,
  };
  // The guarded connection pool, made on first use and closed by stop() (keep-alive sockets die with it).
  let agent: ReturnType<typeof createGuardedAgent> | null = null;
  const httpNow = (): HttpSettings => ({ ...http, dispatcher: (agent ??= createGuardedAgent(options.guard)) });
  const slicer = createTimeSlicer(options.sliceMs ?? 5, nextTurn);
  const inFlight = new Map<number, Promise<PollReport>>();
  // Every fetch in flight listens for the stop signal: as many as the poller's concurrency, plus `feed add`s.
  const stoppable = (): AbortController => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  };
  let stopController = stoppable();

  const poller = createPoller({
    clock,
    log,
    // Feeds being polled are left out until their poll records its outcome (and their next poll time).
    nextDueAt: () => feeds.nextDueAt([...inFlight.keys()]),
    dueIds: (now, limit) => feeds.dueIds(now, limit, [...inFlight.keys()]),
    poll: (id) => pollOnce(id) ?? Promise.resolve(null),
    concurrency: options.concurrency ?? 16,
    maxSleepMs: 60_000,
  });

  /** Starts a poll of a feed, or joins the one already running; null for an unknown feed. */
  function pollOnce(id: number, alreadyRead?: ReadResult): Promise<PollReport> | null {
    const running = inFlight.get(id);
    if (running) return running;
    const feed = feeds.get(id);
    if (!feed) return null;
    // No write here: the poller leaves feeds in `inFlight` out of its queries (one commit per poll, not two).
    const polling = pollFeed(
      feed,
      { feeds, items, clock, log, http: httpNow(), signal: stopController.signal, slicer, onQueued: options.onQueued, commit },
      alreadyRead,
    )
      .then((report) => {
        options.onPolled?.(report);
        return report;
      })
      .finally(() => inFlight.delete(id));
    inFlight.set(id, polling);
    return polling;
  }

  function view(feed: Feed, counts = feeds.outcomeCounts()): FeedView {
    const { etag: _etag, lastModified: _lastModified, bodyHash: _bodyHash, ...rest } = feed;
    const health: FeedHealth =
      feed.status === 'paused' ? 'paused' : feed.consecutiveFailures > 0 ? 'failing' : feed.lastSuccessAt === null ? 'new' : 'ok';
    return { ...rest, health, stories: counts.get(feed.id) ?? {} };
  }

  const viewOf = (id: number): FeedView | null => {
    const feed = feeds.get(id);
    return feed ? view(feed) : null;
  };

  function insert(url: string, settings: FeedSettingsInput): Feed {
    const resolved = resolveFeedSettings(settings, defaults);
    return feeds.insert({ url, ...resolved }, clock.now());
  }

  return {
    /**
     * Adds a feed and polls it at once: its current stories are marked seen (the newest `backfill` are
     * queued). The URL is read first: when that fails (a 404, a web page, not a feed, no answer) nothing
     * is stored and the reason is returned, unless `force` (then it stays added, retried with back-off).
     */
    async add(url: string, settings: FeedSettingsInput = {}, addOptions: AddOptions = {}): Promise<AddResult> {
      const normalised = normaliseFeedUrl(url);
      const existing = feeds.byUrl(normalised);
      if (existing) return { status: 'exists', feed: view(existing) };
      resolveFeedSettings(settings, defaults); // bad settings are refused before anything is fetched
      let read: ReadResult | undefined;
      if (!addOptions.force) {
        try {
          read = await readFeed(normalised, { etag: null, lastModified: null }, { clock, http: httpNow(), signal: stopController.signal, slicer });
        } catch (err) {
          if (!(err instanceof FeedFetchError || err instanceof FeedParseError)) throw err;
          log.info({ feedUrl: normalised, kind: err.kind, error: err.message }, 'feed not added: its first read failed');
          const advertisedFeed = err instanceof FeedParseError ? err.advertisedFeed : null;
          return { status: 'refused', url: normalised, kind: err.kind, reason: err.message, advertisedFeed };
        }
        const raced = feeds.byUrl(normalised); // added by another process while we read it
        if (raced) return { status: 'exists', feed: view(raced) };
      }
      const feed = insert(normalised, settings);
      log.info({ feedId: feed.id, feedUrl: feed.url, forced: addOptions.force === true }, 'feed added');
      const poll = await pollOnce(feed.id, read)!;
      poller.rearm();
      return { status: 'added', feed: viewOf(feed.id) ?? view(feed), poll };
    },

    /** Removes a feed; returns it as it was, or null when there is no such feed. Its story history stays. */
    remove(id: number): FeedView | null {
      const feed = viewOf(id);
      if (!feed || !feeds.remove(id)) return null;
      log.info({ feedId: id, feedUrl: feed.url }, 'feed removed');
      poller.rearm();
      return feed;
    },

    /** Stops polling a feed until resumed; null when there is no such feed. */
    pause(id: number): FeedView | null {
      const feed = feeds.get(id);
      if (!feed) return null;
      feeds.setStatus(id, 'paused', clock.now(), feed.nextPollAt);
      poller.rearm();
      return viewOf(id);
    },

    /** Polls a paused feed again, starting now; null when there is no such feed. */
    resume(id: number): FeedView | null {
      if (!feeds.get(id)) return null;
      feeds.setStatus(id, 'active', clock.now(), clock.now());
      poller.rearm();
      return viewOf(id);
    },

    /** Polls a feed now (paused or not) and reports what was queued and skipped, and why; null for an unknown id. */
    async pollNow(id: number): Promise<PollReport | null> {
      const report = await pollOnce(id);
      poller.rearm();
      return report;
    },

    /** Every feed with its state: last success, last error, next poll, story counts. */
    list(): FeedView[] {
      const counts = feeds.outcomeCounts();
      return feeds.list().map((feed) => view(feed, counts));
    },

    /** One feed, or null. */
    get: viewOf,

    /**
     * Adds the feeds of a list (NEWSDESK_FEEDS) that are not stored yet, with default settings and no
     * poll now: the poller polls them when started, marking their current stories seen. Never removes.
     */
    seed(urls: readonly string[]): SeedResult {
      const result: SeedResult = { added: [], existing: [], invalid: [] };
      for (const raw of urls) {
        if (raw.trim().length === 0) continue;
        try {
          const url = normaliseFeedUrl(raw);
          const existing = feeds.byUrl(url);
          if (existing) result.existing.push(view(existing));
          else result.added.push(view(insert(url, {})));
        } catch (err) {
          if (!(err instanceof FeedSettingsError)) throw err;
          result.invalid.push({ url: raw, error: err.message });
        }
      }
      if (result.added.length > 0) log.info({ feeds: result.added.map((f) => f.url) }, `seeded ${result.added.length} feeds`);
      for (const bad of result.invalid) log.warn(bad, 'feed from the feed list ignored');
      poller.rearm();
      return result;
    },

    /** Starts the poller: each active feed is polled when due. */
    start(): void {
      if (stopController.signal.aborted) stopController = stoppable();
      poller.start();
    },

    /** Stops the poller, aborts fetches in flight and waits for running polls to wind down. */
    async stop(): Promise<void> {
      poller.stop();
      stopController.abort();
      await Promise.allSettled([...inFlight.values()]);
      const closing = agent;
      agent = null;
      await closing?.close();
    },

    /** Feeds being polled right now. */
    polling(): number[] {
      return [...inFlight.keys()];
    },

    /** Resolves once no poll is running (for tests and shutdown). */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}

export type FeedService = ReturnType<typeof createFeedService>;
