import { createHmac, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../clock.js';
import type { Actor, CommandResult } from '../../commands/types.js';
import { errorDetail, type Logger } from '../../log.js';
import { tokensMatch } from '../auth.js';
import { registerDeskActions } from './actions.js';
import { registerLive, type ChangeSource } from './live.js';
import { registerDeskPages } from './pages.js';
import { registerChannelPages } from './channels-page.js';
import { createMemorySessionStore, DEFAULT_SESSION_IDLE_MS, type SessionStore } from './session-store.js';
import { createViews, deskFilesDir, viewHelpers } from './views.js';

/** What the desk needs from the command core (CommandCore has it): every action and every read goes through it. */
export interface DeskCore {
  run(text: string, actor: Actor): Promise<CommandResult>;
  runStructured(name: string, body: unknown, actor: Actor): Promise<CommandResult>;
  query(name: string, input: unknown, actor: Actor): Promise<CommandResult>;
}

export interface DeskOptions {
  core: DeskCore;
  /** NEWSDESK_API_TOKEN: what editors sign in with. Without it the desk says how to turn it on. */
  token: string | undefined;
  /** NEWSDESK_TIMEZONE: every time on the desk is shown, and read, in it. */
  timezone: string;
  log: Logger;
  /** Tells the desk that something changed (a write by any process, a channel status change). */
  changes?: ChangeSource;
  clock?: Clock;
  /** Session idle timeout. Default 12 h. */
  sessionIdleMs?: number;
  /** Where sessions live. Default: in memory (they end on restart). */
  sessionStore?: SessionStore;
  /** Sign-in attempts allowed per client address per window. Default 10 per 15 minutes. */
  signInLimit?: { max: number; windowMs: number };
}

declare module 'fastify' {
  interface Session {
    /** Set once signed in: the editor's session name, as the audit log shows it (`web:<editor>`). */
    editor?: string;
    /** Which token the session was opened with (a digest): a new token ends the session. */
    tokenMark?: string;
    flash?: { kind: 'ok' | 'error'; text: string };
  }
  interface FastifyContextConfig {
    /** Desk routes anyone may open (sign-in page, API description). */
    deskPublic?: boolean;
  }
}

export const DESK_COOKIE = 'newsdesk_desk';

/** The signed-in editor as the command core sees them: the web door and the session. */
export function deskActor(request: FastifyRequest): Actor {
  return { door: 'web', id: `web:${request.session.editor ?? 'anonymous'}` };
}

/** Everything a page handler needs to render and act. */
export interface DeskContext {
  core: DeskCore;
  clock: Clock;
  log: Logger;
  timezone: string;
  /** Renders a view inside the layout, with the CSRF token, nav and flash message filled in. */
  render(request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>, code?: number): FastifyReply;
  /** Sets the message the next page shows. */
  flash(request: FastifyRequest, result: { kind: 'ok' | 'error'; text: string }): void;
}

const NAV = [
  { key: 'status', href: '/', label: 'Status' },
  { key: 'compose', href: '/compose', label: 'Compose' },
  { key: 'queue', href: '/queue', label: 'Queue' },
  { key: 'feeds', href: '/feeds', label: 'Feeds' },
  { key: 'channels', href: '/channels', label: 'Channels' },
  { key: 'log', href: '/log', label: 'Log' },
];

/**
 * The desk: the web page editors run the channel from, at `/`. Signed in with the API token, then a
 * server-side session (HttpOnly, SameSite=Strict cookie; Secure over HTTPS); every POST carries a CSRF
 * token; a strict CSP allows only the desk's own script and stylesheet. Pages and actions go through
 * the command core (door `web`), never to the store.
 */
export async function registerDesk(app: FastifyInstance, options: DeskOptions): Promise<void> {
  const { core, log, timezone } = options;
  const clock = options.clock ?? systemClock;
  const token = options.token || undefined;
  const views = createViews();
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Only means something over HTTPS; harmless otherwise.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  });
  await app.register(fastifyStatic, { root: deskFilesDir('assets'), prefix: '/assets/', maxAge: 3_600_000, index: false, decorateReply: false });

  if (!token) {
    const off = (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(views.render('./off', { title: 'Desk off', h: viewHelpers(timezone, clock.now()) }));
    app.get('/', off);
    app.get('/sign-in', off);
    return;
  }

  const tokenMark = createHmac('sha256', token).update('newsdesk desk session mark v1').digest('base64url');
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifySession, {
    // Derived from the token: a new token makes every cookie signed with the old one unreadable.
    secret: createHmac('sha256', token).update('newsdesk desk session secret v1').digest('base64url'),
    cookieName: DESK_COOKIE,
    store: options.sessionStore ?? createMemorySessionStore(clock, idleMs),
    saveUninitialized: false,
    rolling: true,
    // Secure is added per request below (behind an HTTPS proxy the socket is plain HTTP).
    cookie: { httpOnly: true, sameSite: 'strict', secure: false, path: '/', maxAge: idleMs },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', logLevel: 'debug' });
  await app.register(fastifyRateLimit, { global: false });

  // A cookie set over HTTPS (directly or through a proxy saying X-Forwarded-Proto: https) is Secure.
  app.addHook('onSend', async (request, reply) => {
    if (!reachedOverHttps(request)) return;
    const cookies = reply.getHeader('set-cookie');
    if (cookies === undefined) return;
    const list = (Array.isArray(cookies) ? cookies : [String(cookies)]).map((c) => (c.startsWith(`${DESK_COOKIE}=`) && !/;\s*secure/i.test(c) ? `${c}; Secure` : c));
    reply.header('set-cookie', list);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  // Every state-changing request must carry the CSRF token of its session; then it must be signed in.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST') return done();
    app.csrfProtection(request, reply, done);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.deskPublic || request.url.startsWith('/assets/')) return;
    if (request.session.editor && request.session.tokenMark === tokenMark) return;
    if (request.session.editor) await request.session.regenerate(); // opened with another token
    if (request.url === '/events') return reply.code(401).send({ error: 'signed out: reload the page' });
    const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
    return reply.redirect(`/sign-in${next}`, 303);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const code = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (code >= 500) log.error({ reqId: request.id, url: request.url, ...errorDetail(error) }, `desk request failed: ${error.message}`);
    const message =
      error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
        ? 'This form did not come from the desk, or it has expired. Go back, reload the page and try again.'
        : code === 429
          ? 'Too many sign-in attempts from your address. Wait a few minutes and try again.'
          : code >= 500
            ? `Something broke (request ${request.id}); nothing more was changed. Check the Newsdesk logs.`
            : error.message;
    if (request.headers.accept?.includes('application/json')) return reply.code(code).send({ error: message });
    return reply
      .code(code)
      .type('text/html; charset=utf-8')
      .send(views.render('./error', { title: code === 403 ? 'Refused' : 'Error', message, code, h: viewHelpers(timezone, clock.now()) }));
  });

  const ctx: DeskContext = {
    core,
    clock,
    log,
    timezone,
    render(request, reply, view, data, code = 200) {
      // A live refresh (a background fetch of the page the editor is on) neither shows nor uses up the
      // message an action left for the page its redirect goes to: a feed added from the desk polls, the
      // poll's change event refreshes the open Feeds page, and that refresh must not take the report.
      const refresh = request.headers['x-newsdesk-refresh'] === '1';
      const flash = refresh ? undefined : request.session.flash;
      if (flash) request.session.flash = undefined;
      const page = views.render(`./${view}`, {
        ...data,
        csrf: reply.generateCsrf(),
        nav: NAV,
        editor: request.session.editor,
        flash,
        h: viewHelpers(timezone, clock.now()),
      });
      return reply.code(code).type('text/html; charset=utf-8').send(page);
    },
    flash(request, result) {
      request.session.flash = result;
    },
  };

  const signInLimit = options.signInLimit ?? { max: 10, windowMs: 15 * 60_000 };
  app.get('/sign-in', { config: { deskPublic: true } }, async (request, reply) => {
    if (request.session.editor && request.session.tokenMark === tokenMark) return reply.redirect('/', 303);
    return ctx.render(request, reply, 'sign-in', { title: 'Sign in', next: safeNext((request.query as Record<string, unknown>).next) });
  });
  app.post(
    '/sign-in',
    { config: { deskPublic: true, rateLimit: { max: signInLimit.max, timeWindow: signInLimit.windowMs, hook: 'preHandler' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const given = typeof body.token === 'string' ? body.token : '';
      const next = safeNext(body.next);
      if (!given || !tokensMatch(given, token)) {
        log.warn({ reqId: request.id, ip: request.ip }, 'desk: sign-in with a wrong token');
        return ctx.render(request, reply, 'sign-in', { title: 'Sign in', next, error: given ? 'That token is wrong: use the value of NEWSDESK_API_TOKEN.' : 'Enter the token.' }, 401);
      }
      await request.session.regenerate(); // a new session id at sign-in: a planted cookie gains nothing
      request.session.editor = `editor-${randomBytes(4).toString('hex')}`;
      request.session.tokenMark = tokenMark;
      log.info({ reqId: request.id, ip: request.ip, editor: request.session.editor }, 'desk: signed in');
      return reply.redirect(next, 303);
    },
  );
  app.post('/sign-out', async (request, reply) => {
    log.info({ reqId: request.id, editor: request.session.editor }, 'desk: signed out');
    await request.session.destroy();
    return reply.redirect('/sign-in', 303);
  });

  registerDeskPages(app, ctx);
  registerDeskActions(app, ctx);
  registerChannelPages(app, ctx);
  registerLive(app, { changes: options.changes, log });
}

/** A same-site path to go back to after signing in; anything else goes to the Status page. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && !value.startsWith('/sign-') ? value : '/';
}

/** Whether the browser reached us over HTTPS, directly or through a reverse proxy that says so. */
export function reachedOverHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return request.protocol === 'https' || first === 'https';
}
