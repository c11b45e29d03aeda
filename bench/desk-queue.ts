import path from 'node:path';
import { createCommandCore } from '../src/commands/command-core.js';
import { createApiCore } from '../src/http/core-adapter.js';
import { createMetrics } from '../src/http/metrics.js';
import { createHttpServer } from '../src/http/server.js';
import { openDatabase, type Db } from '../src/store/open-database.js';
import { createBenchCommandContext } from './command-context.js';
import { createBenchChannel } from './fake-channel.js';
import { ascending, percentile, say, silentLogger, spread, withTempDir, type Figures, type Target } from './support.js';

const ARTICLES = 100_000;
const WARMUP = 30;
const ROUNDS = 60; // each round loads the seven queue views below
const TOKEN = 'bench-desk-token-8d2f4a6c1e3b5709';

export const targets: readonly Target[] = [{ figure: 'deskQueueP95Ms', op: '<=', limit: 50 }];

/**
 * The desk's Queue page on a database of 100,000 articles (95,000 posted with their delivery
 * records, failed, cancelled, 2,000 still to go): server time per request, measured with Fastify's
 * inject (no socket), through the whole stack (session, CSRF token, command core query, keyset SQL,
 * template). The views: the default page, the next pages of both halves, a page deep in the history,
 * and each status filter. Searches (LIKE over every headline) are reported apart, without a target.
 */
export async function run(): Promise<Figures> {
  return withTempDir(async (dir) => {
    const db = openDatabase(path.join(dir, 'newsdesk.db'));
    try {
      return await measure(db, dir);
    } finally {
      db.close();
    }
  });
}

function fill(db: Db, now: number): void {
  const started = performance.now();
  const day = 86_400_000;
  // One statement per kind: a recursive counter, values spread over the last 60 days.
  const insert = (from: number, count: number, status: string, extra: { priority?: string; timed?: number; publishAhead?: number } = {}) =>
    db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM n WHERE i < @from + @count - 1)
         INSERT INTO articles (headline, summary, url, canonical_url, content_hash, priority, publish_at, timed, source, status, attempts,
                               next_attempt_at, last_error, created_at, updated_at, posted_at)
         SELECT 'Story number ' || i || ' about the council, the trams and the weather', 'A summary of story ' || i,
                'https://news.example.com/2026/story-' || i, 'https://news.example.com/2026/story-' || i, 'hash-' || i,
                @priority, @now - (@from + @count - i) * @step + @ahead, @timed, 'feed:1', @status,
                CASE WHEN @status IN ('posted', 'failed') THEN 1 ELSE 0 END, 0,
                CASE WHEN @status = 'failed' THEN 'the channel refused the post' ELSE NULL END,
                @now - (@from + @count - i) * @step, @now - (@from + @count - i) * @step + 1000,
                CASE WHEN @status = 'posted' THEN @now - (@from + @count - i) * @step + 1000 ELSE NULL END
         FROM n`,
      )
      .run({ from, count, status, now, step: Math.floor((60 * day) / ARTICLES), priority: extra.priority ?? 'normal', timed: extra.timed ?? 0, ahead: extra.publishAhead ?? 0 });
  db.transaction(() => {
    insert(1, 95_000, 'posted');
    insert(95_001, 2_000, 'failed');
    insert(97_001, 1_000, 'cancelled');
    insert(98_001, 1_500, 'queued');
    insert(99_501, 300, 'queued', { priority: 'breaking' });
    insert(99_801, 200, 'queued', { timed: 1, publishAhead: 30 * day });
    db.prepare(
      `INSERT INTO deliveries (article_id, attempt, channel, status, text, message_id, error, started_at, finished_at)
       SELECT id, 1, 'outbox', CASE status WHEN 'posted' THEN 'posted' ELSE 'failed' END, headline,
              CASE status WHEN 'posted' THEN 'true_120363000000000001@newsletter_' || id ELSE NULL END,
              last_error, updated_at - 1000, updated_at
       FROM articles WHERE status IN ('posted', 'failed')`,
    ).run();
  })();
  db.pragma('optimize');
  say('database', `${ARTICLES.toLocaleString('en')} articles in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function measure(db: Db, dataDir: string): Promise<Figures> {
  fill(db, Date.now());
  const channel = createBenchChannel();
  const ctx = createBenchCommandContext(db, dataDir, {
    timezone: 'Europe/Berlin',
    runtime: () => ({ running: true, dryRun: false, channel: channel.status(), channelInfo: channel.info(), nextWakeAt: null, heartbeatAt: Date.now() }),
  });
  const commands = createCommandCore(ctx, silentLogger);
  const server = createHttpServer({
    api: createApiCore({ commands }),
    channel,
    checkDatabase: () => undefined,
    metrics: createMetrics({ articleCounts: () => ctx.reports.counts(Date.now()), channelState: () => 'ready', lastPostAt: () => null, log: silentLogger }),
    log: silentLogger,
    token: TOKEN,
    port: 0,
    desk: { core: commands, timezone: ctx.timezone },
  });
  const app = server.fastify;
  await app.ready();
  try {
    // Sign in as an editor would: the form's CSRF token and session cookie, then the token.
    const form = await app.inject({ method: 'GET', url: '/sign-in' });
    const anonymous = cookieOf(form.headers['set-cookie']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const signedIn = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, token: TOKEN, next: '/queue' }).toString(),
    });
    if (signedIn.statusCode !== 303) throw new Error(`sign-in answered ${signedIn.statusCode}`);
    const cookie = cookieOf(signedIn.headers['set-cookie']);
    const get = async (url: string) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      const took = performance.now() - started;
      const used = process.cpuUsage(cpu);
      if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}`);
      return { took, cpuMs: (used.user + used.system) / 1000, body: res.body };
    };
    const nextOf = (body: string, key: 'up' | 'done') =>
      [...body.matchAll(/href="([^"]+)" rel="next"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).find((href) => href.includes(`${key}=`)) ?? null;

    // The views: page 1, the second page of each half, a page 20 deep in the history, each filter.
    const first = await get('/queue');
    const upNext = nextOf(first.body, 'up');
    const doneNext = nextOf(first.body, 'done');
    if (!upNext || !doneNext) throw new Error('the queue page has no next-page links');
    let deep = doneNext;
    for (let i = 0; i < 19; i += 1) deep = nextOf((await get(deep)).body, 'done') ?? deep;
    const views = ['/queue', upNext, doneNext, deep, '/queue?status=failed', '/queue?status=scheduled', '/queue?status=posted'];
    const rows = (first.body.match(/class="row status-/g) ?? []).length;
    say('rows on the first page', String(rows));

    for (let i = 0; i < WARMUP; i += 1) await get(views[i % views.length]!);
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const view of views) {
        const { took, cpuMs } = await get(view);
        samples.push(took);
        cpuSamples.push(cpuMs);
      }
    }
    const searches: number[] = [];
    for (let i = 0; i < 20; i += 1) searches.push((await get(`/queue?q=story+number+${9_000 + i * 37}+about`)).took);

    const sorted = ascending(samples);
    say('queue page (7 views)', spread(samples));
    // CPU time of the process per request: what the server itself spends, less swayed by a busy machine.
    say('queue page CPU time', spread(cpuSamples));
    say('queue search (LIKE, all headlines)', spread(searches));
    return {
      deskQueueP95Ms: percentile(sorted, 95),
      deskQueueP50Ms: percentile(sorted, 50),
      deskQueueCpuP95Ms: percentile(ascending(cpuSamples), 95),
      deskQueueSearchP95Ms: percentile(ascending(searches), 95),
    };
  } finally {
    await server.close();
  }
}

function cookieOf(header: string | string[] | number | undefined): string {
  const list = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  return list.map((c) => c.split(';')[0]).join('; ');
}
