import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { errorDetail, type Logger } from '../../log.js';
import type { Feed, FeedStore } from '../../store/feed-store.js';
import type { FeedItemStore } from '../../store/feed-item-store.js';
import { FeedFetchError, failureKind } from '../errors.js';
import { decodeBody, type DecodedBody } from '../fetch/decode-body.js';
import { fetchFeed, networkDetail, type FetchFunction, type Validators } from '../fetch/fetch-feed.js';
import { ingestItems } from '../ingest/ingest.js';
import type { TimeSlicer } from '../ingest/time-slicer.js';
import type { Dispatcher } from 'undici';
import type { ParsedFeed } from '../parse/feed-document.js';
import { parseFeedInSlices } from '../parse/parse-feed.js';
import { nextPollAfterFailure } from './backoff.js';
import { skippedTotal, type PollReport } from './poll-report.js';

/** How feeds are fetched; every field has a default in feed-service.ts. */
export interface HttpSettings {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
  fetch?: FetchFunction;
  /** The address guard's connection pool (see address-guard.ts). */
  dispatcher?: Dispatcher;
}

export interface PollDeps {
  feeds: FeedStore;
  items: FeedItemStore;
  clock: Clock;
  log: Logger;
  http: HttpSettings;
  /** Aborted when the service stops. */
  signal: AbortSignal;
  /** Work between two turns of the event loop, shared by every poll of the service. */
  slicer: TimeSlicer;
  onQueued?: (count: number) => void;
  /** Runs a write in the service's next group commit (one fsync for many polls); resolves once it is durable. */
  commit: <T>(write: () => T) => Promise<T>;
}

/**
 * A feed document fetched and read; or the site's word that nothing changed (a 304); or the very body
 * the feed's last full read recorded every story of (`unchanged`: not decoded, parsed or deduplicated again).
 */
export type ReadResult =
  | { status: 'not-modified' }
  | { status: 'unchanged'; url: string; validators: Validators }
  | { status: 'read'; url: string; validators: Validators; decoded: DecodedBody; parsed: ParsedFeed; bodyHash: string };

/**
 * Changes whenever reading a body may give other stories (parser, decoder or mapping rules): every
 * feed is then read in full once more, so a fixed reader sees the stories an older one missed.
 */
const READER_VERSION = '1';

/**
 * What a body's stories depend on: its bytes, the declared content type (the charset), the final URL
 * (relative links resolve against it) and the reader's version. Equal hash, equal stories.
 */
export function bodyHash(url: string, contentType: string | null, body: Buffer): string {
  return createHash('sha256').update(`${READER_VERSION}\n${url}\n${contentType ?? ''}\n`).update(body).digest('base64url');
}

/** What reading needs: the HTTP settings, the clock for the timeout, and a stop signal. */
export type ReadDeps = Pick<PollDeps, 'clock' | 'http' | 'signal' | 'slicer'>;

/**
 * Fetches (conditionally), decodes and parses a feed, in time slices. Throws FeedFetchError or
 * FeedParseError; `feed add` uses it to try a URL before storing anything. A body whose hash is
 * `lastBodyHash` (the feed's last full read) is reported `unchanged` without being read.
 */
export async function readFeed(url: string, validators: Validators, deps: ReadDeps, lastBodyHash: string | null = null): Promise<ReadResult> {
  const fetched = await fetchFeed(url, validators, { ...deps.http, clock: deps.clock, signal: deps.signal });
  if (fetched.status === 'not-modified') return { status: 'not-modified' };
  const hash = bodyHash(fetched.url, fetched.contentType, fetched.body);
  if (hash === lastBodyHash) return { status: 'unchanged', url: fetched.url, validators: fetched.validators };
  await deps.slicer.pause(); // the body arrived in one piece: give waiting work a turn before decoding it
  const decoded = decodeBody(fetched.body, fetched.contentType);
  const parsed = await parseFeedInSlices(decoded.text, fetched.url, deps.slicer);
  return { status: 'read', url: fetched.url, validators: fetched.validators, decoded, parsed, bodyHash: hash };
}

/**
 * One poll of one feed: fetch (conditional), decode, parse, ingest, and record the outcome on the feed.
 * `alreadyRead` is a document `feed add` read a moment ago (so the first poll does not fetch twice).
 * Never throws: every failure becomes a `failed` report and the feed's error state (this is the error
 * boundary of a poll, so nothing a feed contains can reach the poller).
 */
export async function pollFeed(feed: Feed, deps: PollDeps, alreadyRead?: ReadResult): Promise<PollReport> {
  const { clock, feeds } = deps;
  const log = deps.log.child({ feedId: feed.id, feedUrl: feed.url });
  const base = { feedId: feed.id, url: feed.url };
  const every = feed.everyMinutes * 60_000;
  try {
    const read = alreadyRead ?? (await readFeed(feed.url, { etag: feed.etag, lastModified: feed.lastModified }, deps, feed.bodyHash));
    if (read.status === 'not-modified' || read.status === 'unchanged') {
      // The same body as the last full read: its stories are all recorded, so one small state write (new validators, if any).
      const validators = read.status === 'unchanged' ? read.validators : null;
      await deps.commit(() => feeds.pollSucceeded(feed.id, { now: clock.now(), nextPollAt: clock.now() + every, validators, title: null }));
      log.debug({}, read.status === 'unchanged' ? 'feed body unchanged since its last full read' : 'feed not modified');
      return { status: 'not-modified', ...base };
    }
    const { decoded, parsed } = read;
    // The validators are kept only with the last batch: a poll that failed halfway must not turn the
    // next one into a 304. Written in the last batch's transaction: one commit (one fsync) for both.
    const succeeded = () =>
      feeds.pollSucceeded(feed.id, {
        now: clock.now(),
        nextPollAt: clock.now() + every,
        validators: read.validators,
        title: parsed.title,
        charset: { charset: decoded.charset, reason: decoded.reason },
        bodyHash: read.bodyHash,
      });
    const ingested = await ingestItems(feed, parsed, read.url, {
      items: deps.items,
      now: () => clock.now(),
      slicer: deps.slicer,
      stopping: () => deps.signal.aborted,
      onQueued: deps.onQueued,
      commit: deps.commit,
      finish: succeeded,
    });
    if (ingested.abandoned) {
      log.info({ reason: ingested.abandoned, queued: ingested.queued.length }, 'feed poll abandoned');
      return { status: 'abandoned', ...base, reason: ingested.abandoned };
    }
    if (!ingested.finished) await deps.commit(succeeded);
    const warnings = [...(decoded.warning ? [decoded.warning] : []), ...parsed.warnings.map((w) => `recovered from broken markup: ${w}`)];
    const { abandoned: _abandoned, finished: _finished, ...counts } = ingested;
    const report: PollReport = { status: 'polled', ...base, ...counts, warnings };
    log.info(
      { format: parsed.format, charset: decoded.charset, items: ingested.itemsInFeed, queued: ingested.queued.length, skipped: ingested.skipped, known: ingested.known },
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
  // The exact network error (refused, reset, TLS) is for the operator's log, never the editor's reply.
  const context = { kind, failures, nextPollAt: new Date(nextPollAt).toISOString(), error, ...(kind === 'network' ? { detail: networkDetail((err as Error).cause) } : {}) };
  if (kind === 'internal') log.error({ ...context, ...errorDetail(err) }, 'feed poll failed');
  else log.warn(context, 'feed poll failed');
  return { status: 'failed', feedId: feed.id, url: feed.url, kind, error, consecutiveFailures: failures, nextPollAt };
}
