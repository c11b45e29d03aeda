import { Agent, request } from 'node:http';
import path from 'node:path';
import { createCommandCore } from '../src/commands/command-core.js';
import type { ApiCore } from '../src/http/api-core.js';
import { createApiCore } from '../src/http/core-adapter.js';
import { createMetrics } from '../src/http/metrics.js';
import { createHttpServer } from '../src/http/server.js';
import { openDatabase, type Db } from '../src/store/open-database.js';
import { createBenchCommandContext } from './command-context.js';
import { createBenchChannel } from './fake-channel.js';
import { ascending, percentile, say, silentLogger, spread, withTempDir, type Figures } from './support.js';

const WARMUP = 200;
const MEASURED = 3_000;
const TOKEN = 'bench-token-3c9f1e7a5b2d4f60';

const SUMMARY =
  'The council voted 31 to 12 for the new tram line after a six-hour debate. Construction starts in spring; ' +
  'the first section, from the station to the hospital, should open in 2029. Opponents had argued for buses.';

/**
 * The CMS door end to end: sequential authorised POST /api/articles of new articles over one loopback
 * keep-alive connection, each answered 201 before the next is sent. Real server (Fastify), real command
 * core and audit log, real SQLite file (WAL, synchronous=FULL: an acknowledged article is on disk);
 * only the channel is a fake, and nothing posts (the dispatcher is not running).
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

async function measure(db: Db, dataDir: string): Promise<Figures> {
  const channel = createBenchChannel();
  const ctx = createBenchCommandContext(db, dataDir, {
    timezone: 'UTC',
    runtime: () => ({ running: true, dryRun: false, channel: channel.status(), channelInfo: channel.info(), nextWakeAt: null, heartbeatAt: Date.now() }),
  });
  const commands = createCommandCore(ctx, silentLogger);
  const api = createApiCore({ commands });
  // Times the core's share (validate, render, enqueue + audit, two fsyncs) inside each request.
  const coreSamples: number[] = [];
  const timedApi: ApiCore = {
    ...api,
    async enqueue(body, actor) {
      const started = performance.now();
      const result = await api.enqueue(body, actor);
      coreSamples.push(performance.now() - started);
      return result;
    },
  };
  const server = createHttpServer({
    api: timedApi,
    channel,
    checkDatabase: () => void db.prepare('SELECT 1').get(),
    metrics: createMetrics({ defaultMetrics: false }),
    log: silentLogger,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
  });
  let connections = 0;
  server.fastify.server.on('connection', () => (connections += 1));
  const { port } = await server.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  const samples: number[] = [];
  let measuredMs = 0;
  try {
    for (let n = 1; n <= WARMUP + MEASURED; n += 1) {
      const body = JSON.stringify({
        headline: `Council approves the new tram line after a long debate (${n})`,
        summary: SUMMARY,
        url: `https://news.example.com/2026/tram-${n}?utm_source=cms`,
        category: 'Local',
      });
      const started = performance.now();
      const res = await post(agent, port, body);
      const took = performance.now() - started;
      if (res.status !== 201) throw new Error(`POST ${n} answered ${res.status}: ${res.body.slice(0, 200)}`);
      if (n > WARMUP) {
        samples.push(took);
        measuredMs += took;
      }
    }
  } finally {
    agent.destroy();
    await server.close();
  }
  if (connections !== 1) throw new Error(`expected one keep-alive connection, the server saw ${connections}`);

  const sorted = ascending(samples);
  const perSec = MEASURED / (measuredMs / 1000);
  say(`requests (after ${WARMUP} warm-up)`, `${MEASURED} sequential, 1 keep-alive connection`);
  const core = coreSamples.slice(WARMUP);
  say('POST /api/articles -> 201', spread(samples));
  say('  of which the command core', spread(core));
  say('  of which HTTP (client + server)', spread(samples.map((t, i) => t - core[i]!)));
  say('throughput', `${perSec.toFixed(0)} articles/s`);
  return {
    apiEnqueuePerSec: perSec,
    apiEnqueueP50Ms: percentile(sorted, 50),
    apiEnqueueP99Ms: percentile(sorted, 99),
  };
}

function post(agent: Agent, port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/articles',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${TOKEN}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
