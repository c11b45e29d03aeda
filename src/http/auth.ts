import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Why a request was not let in. */
export type AuthFailure = 'missing' | 'malformed' | 'wrong';

export type AuthCheck = { ok: true } | { ok: false; failure: AuthFailure };

/**
 * Whether `given` equals `expected`, in time that does not depend on where they differ or on their
 * lengths: both are hashed to equal-length digests first, which timingSafeEqual requires.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
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
