import { onTestFinished } from 'vitest';
import type { Channel } from '../../src/channel/channel.js';
import { createApiCore } from '../../src/http/core-adapter.js';
import type { ApiCore } from '../../src/http/api-core.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { commandSetup } from '../helpers/command-setup.js';

export const TOKEN = 'test-token-6f1c2a9e0b7d4c3f8a5e';
export const AUTH = { authorization: `Bearer ${TOKEN}` };
export const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

/**
 * The real HTTP server on a random loopback port over the real command core and a SQLite file in a
 * temp folder (test/helpers/command-setup.ts), with a fake channel. Closed when the test finishes.
 */
export async function httpSetup(
  over: Partial<Omit<HttpServerOptions, 'api' | 'channel'>> & { token?: string | undefined; api?: (real: ApiCore) => ApiCore; channel?: Channel } = {},
) {
  const s = commandSetup();
  const fake = createFakeChannel(s.clock);
  const channel = over.channel ?? fake;
  const metrics = createMetrics({
    articleCounts: () => s.ctx.reports.counts(s.clock.now()),
    channelState: () => channel.status().state,
    lastPostAt: () => s.ctx.reports.lastPosted()?.postedAt ?? null,
    log: s.log,
  });
  const realApi = createApiCore({ commands: s.core });
  const server = createHttpServer({
    checkDatabase: () => {
      s.db.prepare('SELECT 1').get();
    },
    metrics,
    log: s.log,
    host: '127.0.0.1',
    port: 0,
    ...over,
    token: 'token' in over ? over.token : TOKEN,
    api: over.api ? over.api(realApi) : realApi,
    channel,
  });
  const { url, port } = await server.listen();
  onTestFinished(() => server.close());

  /** fetch against the server; the body is parsed as JSON when it is JSON. */
  async function request(path: string, init: RequestInit = {}) {
    const res = await fetch(`${url}${path}`, { redirect: 'manual', ...init });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
    const body: any = isJson ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body, text };
  }

  /** POSTs a JSON article with the right token. */
  const post = (article: unknown, headers: Record<string, string> = JSON_AUTH) =>
    request('/api/articles', { method: 'POST', headers, body: JSON.stringify(article) });

  const auditRows = () => s.db.prepare('SELECT * FROM audit_log ORDER BY id').all() as { actor: string; door: string; command: string; outcome: string; detail: string | null }[];

  return { ...s, fake, channel, metrics, server, url, port, request, post, auditRows };
}

/** A new article each call: n makes the link unique. */
export function article(n: number, extra: Record<string, unknown> = {}) {
  return {
    headline: `Flood waters rise in Kelantan (${n})`,
    summary: 'Thousands moved to relief centres | more rain expected',
    url: `https://news.example.com/2026/floods-${n}`,
    ...extra,
  };
}
