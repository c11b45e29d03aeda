import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { Clock } from '../clock.js';
import { createGuardedAgent, isForbiddenAddress, type GuardOptions } from '../feeds/fetch/address-guard.js';
import { readCapped } from '../feeds/fetch/read-capped.js';
import { errorMessage } from '../log.js';
import type { PostImage } from './channel.js';

/**
 * Why an article's image could not be used, as a short word for the metric's `reason` label; the
 * sentence with the detail goes on the delivery.
 */
export type ImageProblem = 'bad-url' | 'forbidden-address' | 'http-status' | 'too-many-redirects' | 'too-large' | 'not-an-image' | 'timeout' | 'network';

/** What fetching an image gave: the checked image, or why it cannot be posted (never thrown). */
export type ImageFetchResult = { ok: true; image: PostImage } | { ok: false; problem: ImageProblem; detail: string };

export interface ImageFetchOptions {
  clock: Clock;
  /** The whole fetch, every redirect hop and the body. Default 15 s. */
  timeoutMs?: number;
  /** Largest image accepted, in bytes. Default 5 MB (WhatsApp's own limit for images). */
  maxBytes?: number;
  /** Redirect hops followed. Default 3. */
  maxRedirects?: number;
  /** The address guard's options (tests resolve names and watch connects themselves). */
  guard?: GuardOptions;
  /** The connection pool; default a guarded one that refuses link-local and metadata addresses at connect time. */
  dispatcher?: Dispatcher;
}

export const IMAGE_DEFAULTS = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 3 } as const;

const USER_AGENT = 'Newsdesk/0.1 (+image fetch)';

/** The image formats WhatsApp shows in a channel, told by their first bytes (what the server says is not trusted). */
export function sniffImage(bytes: Uint8Array): PostImage['mimetype'] | null {
  const at = (i: number) => bytes[i];
  if (bytes.length >= 3 && at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => at(i) === b)) return 'image/png';
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('latin1');
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'image/gif';
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

const EXTENSION: Record<PostImage['mimetype'], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

/**
 * A fetcher of article images with caps on time, size and redirects, that never connects to a
 * link-local or cloud metadata address (the feeds' address guard, checked at every connection, so a
 * redirect or a DNS answer cannot lead there), and that accepts only bytes that really are a JPEG,
 * PNG, WebP or GIF image. Never throws: a problem is a value, and the post goes out as text.
 */
export function createImageFetcher(options: ImageFetchOptions) {
  const timeoutMs = options.timeoutMs ?? IMAGE_DEFAULTS.timeoutMs;
  const maxBytes = options.maxBytes ?? IMAGE_DEFAULTS.maxBytes;
  const maxRedirects = options.maxRedirects ?? IMAGE_DEFAULTS.maxRedirects;
  const own = options.dispatcher ? null : createGuardedAgent(options.guard);
  const dispatcher = options.dispatcher ?? own!;

  async function fetchImage(start: string): Promise<ImageFetchResult> {
    const controller = new AbortController();
    let timedOut = false;
    const cancel = options.clock.setTimer(timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    try {
      return await follow(start, controller);
    } catch (err) {
      if (timedOut) return { ok: false, problem: 'timeout', detail: `no complete answer within ${timeoutMs / 1000} s` };
      const forbidden = forbiddenCause(err);
      if (forbidden) return { ok: false, problem: 'forbidden-address', detail: `${forbidden}; images are never fetched from there` };
      return { ok: false, problem: 'network', detail: `cannot reach it: ${errorMessage((err as { cause?: unknown }).cause ?? err)}` };
    } finally {
      cancel();
    }
  }

  async function follow(start: string, controller: AbortController): Promise<ImageFetchResult> {
    let url = start;
    for (let hop = 0; ; hop += 1) {
      const problem = urlProblem(url);
      if (problem) return { ok: false, problem: problem.kind, detail: problem.detail };
      const response = await undiciFetch(url, {
        headers: { 'user-agent': USER_AGENT, accept: 'image/jpeg, image/png, image/webp, image/gif;q=0.8' },
        redirect: 'manual',
        signal: controller.signal,
        dispatcher,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        if (!location) return { ok: false, problem: 'http-status', detail: `HTTP ${response.status} without a Location` };
        if (hop + 1 > maxRedirects) return { ok: false, problem: 'too-many-redirects', detail: `more than ${maxRedirects} redirects` };
        url = new URL(location, url).toString();
        continue;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, problem: 'http-status', detail: `HTTP ${response.status}` };
      }
      const declared = Number(response.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, problem: 'too-large', detail: `${declared} bytes, over the ${maxBytes}-byte cap` };
      }
      const body = await readCapped(response, maxBytes, controller);
      if (!body) return { ok: false, problem: 'too-large', detail: `over the ${maxBytes}-byte cap` };
      const mimetype = sniffImage(body);
      if (!mimetype) {
        const said = response.headers.get('content-type') ?? 'no content type';
        return { ok: false, problem: 'not-an-image', detail: `the answer (${said}) is not a JPEG, PNG, WebP or GIF image` };
      }
      return { ok: true, image: { url: start, mimetype, data: body, filename: `image.${EXTENSION[mimetype]}` } };
    }
  }

  return {
    fetchImage,
    /** Closes the connection pool (only the one it made itself). */
    async close(): Promise<void> {
      await own?.close().catch(() => undefined);
    },
  };
}

export type ImageFetcher = ReturnType<typeof createImageFetcher>;

function urlProblem(value: string): { kind: ImageProblem; detail: string } | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: 'bad-url', detail: `"${value.slice(0, 100)}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'bad-url', detail: 'only http(s) images are fetched' };
  if (isForbiddenAddress(url.hostname)) {
    return { kind: 'forbidden-address', detail: `${url.hostname} is a link-local or cloud metadata address; images are never fetched from there` };
  }
  return null;
}

/** The address guard's refusal inside undici's "fetch failed" wrapping, as its sentence. */
function forbiddenCause(err: unknown): string | null {
  for (let e = err as { cause?: unknown; code?: string; message?: string } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (e.code === 'ENEWSDESK_FORBIDDEN_ADDRESS') return e.message ?? 'a link-local or cloud metadata address';
  }
  return null;
}
