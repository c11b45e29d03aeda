import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { Clock } from '../../clock.js';
import { FeedFetchError } from '../errors.js';
import { isForbiddenAddress } from './address-guard.js';
import { readCapped } from './read-capped.js';

/** A fetch function: undici's by default (it takes our guarded dispatcher), or a test's own. */
export type FetchFunction = (url: string, init: FetchInit) => Promise<Response>;

/** What fetchFeed asks of a fetch: its own headers, redirects by hand, the abort signal, and the guarded pool. */
export interface FetchInit {
  headers: Record<string, string>;
  redirect: 'manual';
  signal: AbortSignal;
  dispatcher?: Dispatcher;
}

/** The conditional-request validators a site gave for the last copy we read. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** What a fetch found: a body to read, or the site's word that nothing changed since the validators. */
export type FetchResult =
  | { status: 'fetched'; url: string; body: Buffer; contentType: string | null; validators: Validators }
  | { status: 'not-modified'; url: string };

export interface FetchOptions {
  clock: Clock;
  /** The whole fetch (every redirect hop and the body) must finish within this. */
  timeoutMs: number;
  /** A body past this many bytes (after decompression) is abandoned. */
  maxBytes: number;
  /** Redirect hops followed before giving up. */
  maxRedirects: number;
  userAgent: string;
  /** Aborts the fetch when the service stops. */
  signal?: AbortSignal;
  /** Injectable for tests of the fetch edge; production uses undici's fetch. */
  fetch?: FetchFunction;
  /** Opens the connections: the address guard (address-guard.ts), which refuses link-local and metadata addresses. */
  dispatcher?: Dispatcher;
}

/** Sent on every request: who we are and where to read about it, as polite crawlers do. */
export const USER_AGENT = 'Newsdesk/0.1 (+feed poller)';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

/**
 * Fetches a feed with a timeout (on the injected clock), a size cap enforced while streaming, redirects
 * followed by hand (so loops and hop counts are ours to judge), and conditional headers. Resolves to
 * a FetchResult; throws FeedFetchError for every failure.
 */
export async function fetchFeed(url: string, validators: Validators, options: FetchOptions): Promise<FetchResult> {
  const controller = new AbortController();
  let timedOut = false;
  const cancelTimer = options.clock.setTimer(options.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  const onStop = () => controller.abort();
  options.signal?.addEventListener('abort', onStop, { once: true });
  try {
    return await follow(url, validators, options, controller);
  } catch (cause) {
    if (timedOut) {
      throw new FeedFetchError('timeout', `no complete answer from ${url} within ${options.timeoutMs / 1000} s; will retry later`, { cause });
    }
    if (options.signal?.aborted) throw new FeedFetchError('stopped', 'the feed poller stopped during the fetch', { cause });
    if (cause instanceof FeedFetchError) throw cause;
    const forbidden = forbiddenCause(cause);
    if (forbidden) throw new FeedFetchError('bad-url', `${url}: ${forbidden}; Newsdesk never fetches feeds from there`, { cause });
    throw new FeedFetchError('network', `cannot reach ${url}: ${networkReason(cause)}`, { cause });
  } finally {
    cancelTimer();
    options.signal?.removeEventListener('abort', onStop);
  }
}

async function follow(start: string, validators: Validators, options: FetchOptions, controller: AbortController): Promise<FetchResult> {
  const doFetch = options.fetch ?? (undiciFetch as unknown as FetchFunction);
  const visited = new Set<string>();
  let url = checkUrl(start);
  for (let hop = 0; ; hop += 1) {
    visited.add(url);
    const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: ACCEPT };
    if (validators.etag) headers['if-none-match'] = validators.etag;
    if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
    const response = await doFetch(url, { headers, redirect: 'manual', signal: controller.signal, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) });

    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      await discard(response);
      const location = response.headers.get('location');
      if (!location) throw new FeedFetchError('http-status', `${url} answered ${response.status} without a Location to follow`, { httpStatus: response.status });
      const next = checkUrl(new URL(location, url).toString());
      if (visited.has(next)) throw new FeedFetchError('redirect-loop', `${start} redirects in a loop (back to ${next}); check the feed URL`);
      if (hop + 1 > options.maxRedirects) {
        throw new FeedFetchError('too-many-redirects', `${start} redirected more than ${options.maxRedirects} times; use the URL it finally lands on`);
      }
      url = next;
      continue;
    }
    if (response.status === 304) {
      await discard(response);
      return { status: 'not-modified', url };
    }
    if (response.status !== 200) {
      await discard(response);
      throw statusError(url, response);
    }
    const length = Number(response.headers.get('content-length'));
    if (Number.isFinite(length) && length > options.maxBytes) {
      await discard(response);
      throw tooLarge(url, options.maxBytes);
    }
    const body = await readCapped(response, options.maxBytes, controller);
    if (body === null) throw tooLarge(url, options.maxBytes);
    return {
      status: 'fetched',
      url,
      body,
      contentType: response.headers.get('content-type'),
      validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
    };
  }
}

function tooLarge(url: string, maxBytes: number): FeedFetchError {
  return new FeedFetchError('too-large', `${url} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB; a news feed is far smaller, so this is probably not a feed`);
}

const STATUS_HINTS: Record<number, string> = {
  401: 'the site wants a login, which Newsdesk does not do',
  403: 'the site refuses Newsdesk; check the URL or ask the site to allow the "Newsdesk/0.1" user agent',
  404: 'no feed at this address; check the URL',
  410: 'the site says this feed is gone for good; remove it',
  429: 'the site asks us to slow down; polls will back off',
};

function statusError(url: string, response: Response): FeedFetchError {
  const status = response.status;
  const hint = STATUS_HINTS[status] ?? (status >= 500 ? 'a problem on the site; will retry with back-off' : 'not a feed answer');
  return new FeedFetchError('http-status', `${url} answered HTTP ${status}: ${hint}`, {
    httpStatus: status,
    retryAfterMs: retryAfter(response.headers.get('retry-after')),
  });
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
function retryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new FeedFetchError('bad-url', `"${value}" is not a URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedFetchError('bad-url', `${value}: only http:// and https:// feeds can be fetched`);
  }
  if (isForbiddenAddress(url.hostname)) {
    throw new FeedFetchError('bad-url', `${value}: ${url.hostname} is a link-local or cloud metadata address; Newsdesk never fetches feeds from there`);
  }
  return url.toString();
}

/** Lets go of a body we will not read, so the connection is freed. */
async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch (err) {
    // Cancelling a body whose connection already failed rejects; the fetch outcome is decided anyway.
    void err;
  }
}

/** The address guard's refusal, found in undici's "fetch failed" wrapping, as a sentence. */
function forbiddenCause(err: unknown): string | null {
  for (let e = err as { cause?: unknown; code?: string; message?: string } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (e.code === 'ENEWSDESK_FORBIDDEN_ADDRESS') return e.message ?? 'a link-local or cloud metadata address';
  }
  return null;
}

/**
 * Why a connection gave no answer, in words that do not tell a closed port from an open one that
 * speaks something else (refused, reset, not HTTP, a TLS failure): otherwise `feed add` would let
 * anyone who may add feeds map which ports are open on the newsroom's internal machines. The exact
 * reason goes to the log only. A name that does not resolve is said as such (it says nothing of ports).
 */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause;
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return 'the host name does not resolve; check the URL';
  return 'no HTTP answer (nothing listening there, the connection was cut, the server does not speak HTTP, or its HTTPS certificate is not valid); check the URL in a browser';
}

/** The exact network error under undici's "fetch failed", for the log. */
export function networkDetail(err: unknown): string {
  const cause = (err as { cause?: { cause?: { code?: string; message?: string }; code?: string; message?: string } })?.cause;
  const inner = cause?.cause ?? cause;
  return [inner?.code, inner?.message].filter(Boolean).join(': ') || (err instanceof Error ? err.message : String(err));
}
