import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Channel } from '../channel/channel.js';
import type { Logger } from '../log.js';
import { checkBearer, LOGIN_OFF_MESSAGE, loginCookieValue, tokensMatch } from './auth.js';
import { contentSecurityPolicy, loginOffPage, loginPage, tokenFormPage } from './login-page.js';
import { createLoginViews } from './login-state.js';

export interface LoginRoutesOptions {
  channel: Pick<Channel, 'status' | 'info' | 'loginPrompt'>;
  token: string | undefined;
  log: Logger;
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

  /** Accepts a token, or answers with the form again; shared by ?token= and the form's POST. */
  const tryToken = (request: FastifyRequest, reply: FastifyReply, given: string, expected: string): FastifyReply => {
    if (!tokensMatch(given, expected)) {
      log.warn({ reqId: request.id, ip: request.ip }, 'login page: wrong token');
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
    if (!hasCookie(request)) return html(reply, 200, (nonce) => tokenFormPage(nonce));
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
    if (!hasCookie(request) && !checkBearer(request.headers.authorization, token).ok) {
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
