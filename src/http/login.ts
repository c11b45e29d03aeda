import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Channel } from '../channel/channel.js';
import type { Logger } from '../log.js';
import { checkBearer, LOGIN_OFF_MESSAGE, loginCookieValue, tokensMatch, tooManyAttemptsMessage } from './auth.js';
import { createAuthLimiter, type AuthLimiter } from './auth-limiter.js';
import { contentSecurityPolicy, loginOffPage, loginPage, tokenFormPage } from './login-page.js';
import { createLoginViews } from './login-state.js';

export interface LoginRoutesOptions {
  channel: Pick<Channel, 'status' | 'info' | 'loginPrompt'>;
  token: string | undefined;
  log: Logger;
  /** Failed-auth counter per client address, shared with the API. Default: one of its own. */
  limiter?: AuthLimiter;
}

export const LOGIN_COOKIE = 'newsdesk_login';
/** How long the login cookie lasts: long enough to pair, short enough that a left-open browser forgets. */
const COOKIE_MAX_AGE_SECONDS = 12 * 60 * 60;
const WRONG_TOKEN = 'That token is wrong: use the value of NEWSDESK_API_TOKEN the bot was started with.';

/**
 * GET /login: the WhatsApp login (QR code or pairing code) for whoever has the API token, since a QR
 * code grants control of the account. The token comes as ?token= (then it is swapped for an HttpOnly,
 * SameSite=Strict cookie and the browser is sent back to /login without it) or through the form.
 * GET /login/state is what the page polls. Needs @fastify/cookie registered on `app`.
 */
export function registerLoginRoutes(app: FastifyInstance, options: LoginRoutesOptions): void {
  const { token, log } = options;
  const limiter = options.limiter ?? createAuthLimiter({ log });
  const views = createLoginViews(options.channel);
  const cookieValue = token ? loginCookieValue(token) : null;

  // Only this scope reads HTML forms; the API stays JSON-only (415 for a form there).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const hasCookie = (request: FastifyRequest): boolean => {
    const value = request.cookies[LOGIN_COOKIE];
    return Boolean(value && cookieValue && tokensMatch(value, cookieValue));
  };

  /** 429 with Retry-After while the client's address is refused for failing too often; else null. */
  const refused = (request: FastifyRequest, reply: FastifyReply, page: boolean): FastifyReply | null => {
    const wait = limiter.retryAfter(request.ip);
    if (wait === 0) return null;
    reply.header('retry-after', String(wait));
    if (!page) return reply.code(429).send({ error: tooManyAttemptsMessage(wait) });
    return html(reply, 429, (nonce) => tokenFormPage(nonce, `Too many wrong tokens from your address: wait ${wait} seconds, then try again.`));
  };

  /** Accepts a token, or answers with the form again; shared by ?token= and the form's POST. */
  const tryToken = (request: FastifyRequest, reply: FastifyReply, given: string, expected: string): FastifyReply => {
    const blocked = refused(request, reply, true);
    if (blocked) return blocked;
    if (!tokensMatch(given, expected)) {
      limiter.fail(request.ip, { door: 'login', failure: 'wrong' });
      return html(reply, 401, (nonce) => tokenFormPage(nonce, WRONG_TOKEN));
    }
    reply.setCookie(LOGIN_COOKIE, loginCookieValue(expected), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/login',
      maxAge: COOKIE_MAX_AGE_SECONDS,
      secure: reachedOverHttps(request),
    });
    log.info({ reqId: request.id, ip: request.ip }, 'login page opened');
    return reply.header('cache-control', 'no-store').redirect('/login', 303);
  };

  app.get('/login', async (request, reply) => {
    if (!token) return html(reply, 404, (nonce) => loginOffPage(nonce, LOGIN_OFF_MESSAGE));
    const given = (request.query as Record<string, unknown>).token;
    if (typeof given === 'string') return tryToken(request, reply, given, token);
    if (request.cookies[LOGIN_COOKIE] !== undefined) {
      const blocked = refused(request, reply, true);
      if (blocked) return blocked;
    }
    if (!hasCookie(request)) {
      if (request.cookies[LOGIN_COOKIE] !== undefined) limiter.fail(request.ip, { door: 'login', failure: 'wrong cookie' });
      return html(reply, 200, (nonce) => tokenFormPage(nonce));
    }
    const view = await views.current();
    return html(reply, 200, (nonce) => loginPage(nonce, view));
  });

  app.post('/login', async (request, reply) => {
    if (!token) return html(reply, 404, (nonce) => loginOffPage(nonce, LOGIN_OFF_MESSAGE));
    const given = (request.body as Record<string, unknown> | undefined)?.token;
    if (typeof given !== 'string' || given === '') return html(reply, 400, (nonce) => tokenFormPage(nonce, 'Enter the token.'));
    return tryToken(request, reply, given, token);
  });

  app.get('/login/state', async (request, reply) => {
    if (!token) return reply.code(404).send({ error: LOGIN_OFF_MESSAGE });
    const blocked = refused(request, reply, false);
    if (blocked) return blocked;
    if (!hasCookie(request) && !checkBearer(request.headers.authorization, token).ok) {
      limiter.fail(request.ip, { door: 'login', failure: 'no cookie or token' });
      return reply.code(401).send({ error: 'open /login and enter the token first (or send "Authorization: Bearer <NEWSDESK_API_TOKEN>")' });
    }
    return reply.header('cache-control', 'no-store').send(await views.current());
  });
}

/** Sends an HTML page with a fresh CSP nonce for its inline style and script. */
function html(reply: FastifyReply, code: number, page: (nonce: string) => string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  return reply
    .code(code)
    .header('content-security-policy', contentSecurityPolicy(nonce))
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(page(nonce));
}

/**
 * Whether the browser reached us over HTTPS: directly, or through a reverse proxy that says so in
 * X-Forwarded-Proto. Trusting the header is safe here: it can only add the Secure flag, and a client
 * that forges it only keeps its own browser from storing the cookie.
 */
function reachedOverHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return request.protocol === 'https' || first === 'https';
}
