import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log.js';
import type { AuthLimiter } from './auth-limiter.js';

/** Why a request was not let in. */
export type AuthFailure = 'missing' | 'malformed' | 'wrong';

export type AuthCheck = { ok: true } | { ok: false; failure: AuthFailure };

/**
 * Whether `given` equals `expected`, in time that does not depend on where they differ or on their
 * lengths: both are hashed to equal-length digests first, which timingSafeEqual requires.
 */
export function tokensMatch(given: string, expected: string): boolean {
  // Stryker disable next-line StringLiteral: Hash.update reads an empty encoding as the default, utf8
  const a = createHash('sha256').update(given, 'utf8').digest();
  // Stryker disable next-line StringLiteral: Hash.update reads an empty encoding as the default, utf8
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Checks an `Authorization: Bearer <token>` header against the configured token. */
export function checkBearer(header: string | undefined, token: string): AuthCheck {
  if (!header) return { ok: false, failure: 'missing' };
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) return { ok: false, failure: 'malformed' };
  return tokensMatch(match[1]!, token) ? { ok: true } : { ok: false, failure: 'wrong' };
}

/** What to tell a client whose bearer token was not accepted. */
export function bearerFailureMessage(failure: AuthFailure): string {
  switch (failure) {
    case 'missing':
      return 'no token: send the header "Authorization: Bearer <token>" with the value of NEWSDESK_API_TOKEN';
    case 'malformed':
      return 'the Authorization header must be "Bearer <token>" (one word after Bearer), with the value of NEWSDESK_API_TOKEN';
    case 'wrong':
      return 'the token is wrong: use the value of NEWSDESK_API_TOKEN the bot was started with';
  }
}

/**
 * The login page's cookie value: derived from the token rather than the token itself, so a cookie
 * read off a browser does not open the API (which takes the bearer token only).
 */
export function loginCookieValue(token: string): string {
  return createHmac('sha256', token).update('newsdesk login cookie v1').digest('base64url');
}

/** The message a disabled API or login page answers with. */
export const API_OFF_MESSAGE =
  'the HTTP API is off because NEWSDESK_API_TOKEN is not set: set it to a long random string (e.g. the output of "openssl rand -hex 32") and restart Newsdesk';
export const LOGIN_OFF_MESSAGE =
  'the login page is off because NEWSDESK_API_TOKEN is not set: set it to a long random string (e.g. the output of "openssl rand -hex 32") and restart Newsdesk, or read the QR code from the logs';

/** How to make a good token; every refusal of a weak one says it. */
export const TOKEN_HINT = 'use a random one, e.g. the output of "openssl rand -hex 32"';

/**
 * Why `token` is too easy to guess, or null when it is not. A token is refused when it has
 * - fewer than 16 distinct characters. Exception: a token of hex digits only (what `openssl rand -hex 32`
 *   prints) can hold at most 16 distinct ones, and a quarter of random 64-digit hex strings lack one of
 *   them; such a token needs 32 characters and 10 distinct ones instead;
 * - low entropy: under 64 bits by its own character frequencies (length × Shannon entropy per
 *   character), a repeated pattern (`abcdabcd…`), or mostly runs and steps (`aaaa`, `1234`, `abcd`).
 * These catch what people type (`passwordpassword`, `1234567890abcdef`), not every weak token.
 */
export function tokenWeakness(token: string): string | null {
  const chars = [...token];
  const distinct = new Set(chars).size;
  const hexOnly = /^[0-9a-f]+$/i.test(token);
  if (hexOnly ? chars.length < 32 || distinct < 10 : distinct < 16) {
    return hexOnly
      ? `is too weak (${chars.length} hex digits, ${distinct} different ones; a hex token needs at least 32 digits and 10 different ones)`
      : `is too weak (only ${distinct} different characters; at least 16 are needed)`;
  }
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length);
  const bits = Math.floor(perChar * chars.length);
  if (bits < 64) return `is too weak (about ${bits} bits of entropy; at least 64 are needed)`;
  for (let period = 1; period <= chars.length / 2; period += 1) {
    if (chars.every((c, i) => i < period || c === chars[i - period])) return 'is too weak (a repeated pattern)';
  }
  let steps = 0;
  for (let i = 1; i < chars.length; i += 1) {
    if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) <= 1) steps += 1;
  }
  if (steps * 2 > chars.length - 1) return 'is too weak (mostly runs or sequences such as "aaaa" or "1234")';
  return null;
}

/** What a client that failed too often is told, with the wait also in Retry-After. */
export function tooManyAttemptsMessage(seconds: number): string {
  return `too many failed attempts from your address: wait ${seconds} s (Retry-After), then send the value of NEWSDESK_API_TOKEN`;
}

/**
 * The /api door's check, as an onRequest hook (before any body is read): 503 when the API is off,
 * 429 with Retry-After while the client's address is refused for failing too often, 401 for a missing
 * or wrong token (counted against the address). A right token passes at once and is never counted.
 */
export function bearerGuard(options: { token: string | undefined; limiter: AuthLimiter; log: Logger }) {
  const { token, limiter } = options;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (!token) return reply.code(503).send({ error: API_OFF_MESSAGE });
    const wait = limiter.retryAfter(request.ip);
    if (wait > 0) return reply.code(429).header('retry-after', String(wait)).send({ error: tooManyAttemptsMessage(wait) });
    const check = checkBearer(request.headers.authorization, token);
    if (check.ok) return undefined;
    // Not in the audit log: anyone who can reach the port could fill it. The log has it, sampled.
    limiter.fail(request.ip, { door: 'api', method: request.method, path: request.routeOptions.url, failure: check.failure });
    return reply.code(401).header('www-authenticate', 'Bearer realm="newsdesk"').send({ error: bearerFailureMessage(check.failure) });
  };
}
