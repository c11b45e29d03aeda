import type { Clock } from '../../clock.js';
import { errorDetail, type Logger } from '../../log.js';
import type { Feed, FeedStore } from '../../store/feed-store.js';
import type { FeedItemStore } from '../../store/feed-item-store.js';
import { FeedFetchError, failureKind } from '../errors.js';
import { decodeBody } from '../fetch/decode-body.js';
import { fetchFeed } from '../fetch/fetch-feed.js';
import { ingestItems } from '../ingest/ingest.js';
import { createTimeSlicer, nextTurn } from '../ingest/time-slicer.js';
import { parseFeedInSlices } from '../parse/parse-feed.js';
import { nextPollAfterFailure } from './backoff.js';
import { skippedTotal, type PollReport } from './poll-report.js';

/** How feeds are fetched; every field has a default in feed-service.ts. */
export interface HttpSettings {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  fetch?: typeof globalThis.fetch;
}

export interface PollDeps {
  feeds: FeedStore;
  items: FeedItemStore;
  clock: Clock;
  log: Logger;
  http: HttpSettings;
  /** Aborted when the service stops. */
  signal: AbortSignal;
  /** Milliseconds of work between two turns of the event loop. */
  sliceMs: number;
  onQueued?: (count: number) => void;
}

/**
 * One poll of one feed: fetch (conditional), decode, parse, ingest, and record the outcome on the feed.
 * Never throws: every failure becomes a `failed` report and the feed's error state (this is the error
 * boundary of a poll, so nothing a feed contains can reach the poller).
 */
export async function pollFeed(feed: Feed, deps: PollDeps): Promise<PollReport> {
  const { clock, feeds } = deps;
  const log = deps.log.child({ feedId: feed.id, feedUrl: feed.url });
  const base = { feedId: feed.id, url: feed.url };
  const every = feed.everyMinutes * 60_000;
  try {
    const fetched = await fetchFeed(feed.url, { etag: feed.etag, lastModified: feed.lastModified }, { ...deps.http, clock, signal: deps.signal });
    if (fetched.status === 'not-modified') {
      feeds.pollSucceeded(feed.id, { now: clock.now(), nextPollAt: clock.now() + every, validators: null, title: null });
      log.debug({}, 'feed not modified');
      return { status: 'not-modified', ...base };
    }
    const slicer = createTimeSlicer(deps.sliceMs, nextTurn);
    await slicer.pause(); // the body arrived in one piece: give waiting work a turn before decoding it
    const decoded = decodeBody(fetched.body, fetched.contentType);
    const parsed = await parseFeedInSlices(decoded.text, fetched.url, slicer);
    const ingested = await ingestItems(feed, parsed, fetched.url, {
      items: deps.items,
      now: () => clock.now(),
      slicer,
      stopping: () => deps.signal.aborted,
      onQueued: deps.onQueued,
    });
    if (ingested.abandoned) {
      log.info({ reason: ingested.abandoned, queued: ingested.queued.length }, 'feed poll abandoned');
      return { status: 'abandoned', ...base, reason: ingested.abandoned };
    }
    // The validators are kept only now: a poll that failed halfway must not turn the next one into a 304.
    feeds.pollSucceeded(feed.id, { now: clock.now(), nextPollAt: clock.now() + every, validators: fetched.validators, title: parsed.title });
    const warnings = [...(decoded.warning ? [decoded.warning] : []), ...parsed.warnings.map((w) => `recovered from broken markup: ${w}`)];
    const { abandoned: _abandoned, ...counts } = ingested;
    const report: PollReport = { status: 'polled', ...base, ...counts, warnings };
    log.info(
      { format: parsed.format, items: ingested.itemsInFeed, queued: ingested.queued.length, skipped: ingested.skipped, known: ingested.known },
      ingested.queued.length > 0 ? `feed poll queued ${ingested.queued.length} stories` : 'feed poll queued nothing new',
    );
    if (skippedTotal(ingested.skipped) > 0 || warnings.length > 0) log.debug({ skipped: ingested.skippedStories.slice(0, 5), warnings }, 'feed poll details');
    return report;
  } catch (err) {
    if (deps.signal.aborted) return { status: 'abandoned', ...base, reason: 'the feed service is stopping' };
    return recordFailure(feed, err, deps, log);
  }
}

function recordFailure(feed: Feed, err: unknown, deps: PollDeps, log: Logger): PollReport {
  const now = deps.clock.now();
  const kind = failureKind(err);
  const failures = feed.consecutiveFailures + 1;
  const retryAfter = err instanceof FeedFetchError ? err.retryAfterMs : null;
  const nextPollAt = nextPollAfterFailure(now, feed.everyMinutes, failures, retryAfter);
  const error = kind === 'internal' ? `internal error while polling: ${(err as Error)?.message ?? String(err)}` : (err as Error).message;
  try {
    deps.feeds.pollFailed(feed.id, { now, nextPollAt, error, kind });
  } catch (storeErr) {
    log.error({ ...errorDetail(storeErr) }, 'could not record the feed failure');
  }
  const context = { kind, failures, nextPollAt: new Date(nextPollAt).toISOString(), error };
  if (kind === 'internal') log.error({ ...context, ...errorDetail(err) }, 'feed poll failed');
  else log.warn(context, 'feed poll failed');
  return { status: 'failed', feedId: feed.id, url: feed.url, kind, error, consecutiveFailures: failures, nextPollAt };
}
