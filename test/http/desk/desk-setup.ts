import { onTestFinished } from 'vitest';
import type { RuntimeStatus } from '../../../src/commands/types.js';
import { createApiCore } from '../../../src/http/core-adapter.js';
import type { SessionStore } from '../../../src/http/desk/session-store.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createChangeFeed } from '../../../src/store/change-feed.js';
import { createDeskStore } from '../../../src/store/desk-store.js';
import { createFakeChannel } from '../../fakes/fake-channel.js';
import { commandSetup } from '../../helpers/command-setup.js';

export const TOKEN = 'desk-test-token-5b0e9c1d7a2f4e8b';

export interface DeskSetupOptions {
  runtime?: Partial<RuntimeStatus>;
  token?: string | undefined;
  sessionIdleMs?: number;
  sessionStore?: SessionStore;
  signInLimit?: { max: number; windowMs: number };
}

/**
 * The real HTTP server with the desk on a random loopback port, over the real command core and a
 * SQLite file in a temp folder, a fake clock and a fake channel. Closed when the test finishes.
 */
export async function deskSetup(options: DeskSetupOptions = {}) {
  const s = commandSetup(options.runtime);
  s.ctx.desk = createDeskStore(s.db); // the core reads its context at run time
  const channel = createFakeChannel(s.clock);
  const changes = createChangeFeed(s.db, 20);
  const metrics = createMetrics({
    articleCounts: () => s.ctx.reports.counts(s.clock.now()),
    channelState: () => channel.status().state,
    lastPostAt: () => null,
    log: s.log,
  });
  const server = createHttpServer({
    api: createApiCore({ commands: s.core }),
    channel,
    checkDatabase: () => void s.db.prepare('SELECT 1').get(),
    metrics,
    log: s.log,
    host: '127.0.0.1',
    port: 0,
    token: 'token' in options ? options.token : TOKEN,
    desk: {
      core: s.core,
      timezone: s.ctx.timezone,
      clock: s.clock,
      changes: (listener) => changes.subscribe(listener),
      sessionIdleMs: options.sessionIdleMs,
      sessionStore: options.sessionStore,
      signInLimit: options.signInLimit,
    },
  });
  const { url } = await server.listen();
  onTestFinished(async () => {
    await server.close();
    changes.stop();
  });
  const audit = () => s.db.prepare('SELECT door, actor, command, outcome FROM audit_log ORDER BY id').all() as { door: string; actor: string; command: string; outcome: string }[];
  return { ...s, channel, server, url, audit };
}

/** A browser-like client over fetch: keeps cookies, reads the CSRF token off each page. */
export function deskClient(base: string) {
  const jar = new Map<string, string>();
  let csrf = '';
  const setCookies: string[] = [];

  async function request(path: string, init: RequestInit & { form?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(`${base}${path}`, { ...init, headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? /data-csrf="([^"]+)"/.exec(text)?.[1];
    if (token) csrf = token;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  return {
    request,
    get: (path: string, headers: Record<string, string> = {}) => request(path, { headers }),
    /** POSTs a form with the page's CSRF token (unless `_csrf` is given). */
    post: (path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}) => request(path, { method: 'POST', form: { _csrf: csrf, ...form }, headers }),
    async signIn(token = TOKEN) {
      await request('/sign-in');
      return request('/sign-in', { method: 'POST', form: { _csrf: csrf, token, next: '/' } });
    },
    csrf: () => csrf,
    cookies: () => new Map(jar),
    setCookies,
  };
}
