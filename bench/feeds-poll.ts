import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { systemClock, type Clock } from '../src/clock.js';
import { createFeedService } from '../src/feeds/feed-service.js';
import type { PollReport } from '../src/feeds/poll/poll-report.js';
import { createArticleQueue } from '../src/store/article-queue.js';
import { ascending, createBenchDispatcher, openBotDatabase, percentile, say, silentLogger, spread, withTempDir, type Figures, type Target } from './support.js';

const FEEDS = 1_000;
const ITEMS = 50;
const BREAKING_EVERY_MS = 100;
const EVERY_MINUTES = 5;

/** A newsroom's section feeds, polled by the real poller on one process, while breaking news keeps posting. */
export const targets: readonly Target[] = [
  { figure: 'feedPollsPerSec', op: '>=', limit: 200 },
  { figure: 'breakingP99DuringPollsMs', op: '<=', limit: 50 },
];

interface Served {
  items: string[];
  body: Buffer;
  etag: string | null;
}

function section(feed: number, items: string[]): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Section ${feed}</title>` +
      `<link>https://news.example.com/section/${feed}</link>${items.join('')}</channel></rss>`,
  );
}

function story(feed: number, n: number): string {
  const date = new Date(Date.UTC(2026, 10, 26, 12) + n * 60_000).toUTCString();
  return (
    `<item><title>Section ${feed}: council votes on plan ${n} &amp; more</title><link>https://news.example.com/s${feed}/story-${n}?utm_source=rss</link>` +
    `<guid isPermaLink="false">s${feed}-${n}</guid><pubDate>${date}</pubDate><description>&lt;p&gt;The council voted on plan ${n} of section ${feed}, ` +
    `which adds a tram line.&lt;/p&gt;</description><media:content url="https://img.example.com/${feed}/${n}.jpg" medium="image" width="1200"/></item>`
  );
}

/**
 * The real clock, moved forward by hand: jump() makes timers due now fire, so the poller's own timer
 * (armed for "in 5 minutes") wakes the second round without the benchmark waiting 5 minutes.
 */
function jumpingClock(): Clock & { jump(ms: number): void } {
  let offset = 0;
  const timers = new Set<{ at: number; fn: () => void; handle: NodeJS.Timeout }>();
  const now = () => Date.now() + offset;
  return {
    now,
    setTimer(ms, fn) {
      const timer = { at: now() + ms, fn, handle: setTimeout(() => fire(), Math.min(Math.max(0, ms), 2_147_483_647)) };
      const fire = () => {
        if (!timers.delete(timer)) return;
        clearTimeout(timer.handle);
        fn();
      };
      timer.fn = fire;
      timer.handle.unref();
      timers.add(timer);
      return () => {
        timers.delete(timer);
        clearTimeout(timer.handle);
      };
    },
    jump(ms) {
      offset += ms;
      for (const timer of [...timers]) if (timer.at <= now()) timer.fn();
    },
  };
}

/**
 * 1,000 section feeds of 50 items on a local HTTP server, added to a fresh database and polled by the
 * feed service's poller: a first round (every item new, marked seen), then a second where 10% of the
 * feeds have 1–3 new stories and the rest answer 304 (half of them send an ETag) or the same content.
 * Breaking articles arrive every 100 ms throughout; the dispatcher posts them.
 */
export async function run(): Promise<Figures> {
  const served: Served[] = Array.from({ length: FEEDS }, (_, f) => {
    const items = Array.from({ length: ITEMS }, (_, n) => story(f, ITEMS - n));
    return { items, body: section(f, items), etag: f % 2 === 0 ? `"s${f}-v1"` : null };
  });
  const server = http.createServer((req, res) => {
    const f = Number(/^\/section\/(\d+)\.rss$/.exec(req.url ?? '')?.[1] ?? -1);
    const feed = served[f];
    if (!feed) return void res.writeHead(404).end();
    if (feed.etag && req.headers['if-none-match'] === feed.etag) return void res.writeHead(304, { etag: feed.etag }).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...(feed.etag ? { etag: feed.etag } : {}) }).end(feed.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await withTempDir(async (dir) => {
      const { db, close } = openBotDatabase(path.join(dir, 'newsdesk.db'));
      const queue = createArticleQueue(db);
      const { dispatcher, sent } = createBenchDispatcher(queue);
      const clock = jumpingClock();
      let polled = 0;
      let failed = 0;
      let round: (() => void) | null = null;
      const onPolled = (report: PollReport) => {
        polled += 1;
        if (report.status === 'failed') failed += 1;
        if (polled % FEEDS === 0) round?.();
      };
      const service = createFeedService({
        db,
        queue,
        clock,
        log: silentLogger,
        onQueued: () => dispatcher.wake('feed'),
        onPolled,
        defaults: { everyMinutes: EVERY_MINUTES, maxPerPoll: 10 },
      });
      dispatcher.start();
      await dispatcher.idle();
      const seeded = service.seed(served.map((_, f) => `${base}/section/${f}.rss`));
      if (seeded.added.length !== FEEDS) throw new Error(`seeded ${seeded.added.length} feeds`);

      const arrivals = new Map<number, number>();
      const t0 = performance.now();
      let next = 0;
      let arriving = true;
      let arrivalTimer: NodeJS.Timeout | undefined;
      const arrive = () => {
        if (!arriving) return; // armed before the end: the database may be closed by now
        const now = performance.now();
        for (; t0 + next * BREAKING_EVERY_MS <= now; next += 1) {
          const { article } = queue.enqueue(
            { headline: `Breaking ${next}: bridge closed`, url: `https://news.example.com/breaking-${next}`, priority: 'breaking', source: 'bench' },
            systemClock.now(),
          );
          arrivals.set(article.id, t0 + next * BREAKING_EVERY_MS);
        }
        dispatcher.wake('enqueue');
        // Armed for the next arrival's own time (not a fixed poll every half interval, which added up to
        // half an interval of the bench's own lag to each figure); a busy event loop still makes it late, and that counts.
        arrivalTimer = setTimeout(arrive, Math.max(0, t0 + next * BREAKING_EVERY_MS - performance.now()));
      };
      arrive();

      const wholeRound = () => new Promise<void>((resolve) => (round = resolve));
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const first = wholeRound();
      service.start();
      await first;
      const firstMs = performance.now() - started;

      // 10% of the feeds get 1–3 new stories (and a new ETag where they send one); the rest are unchanged.
      let newStories = 0;
      for (let f = 0; f < FEEDS; f += 10) {
        const feed = served[f + 3]!;
        const extra = 1 + (f / 10) % 3;
        for (let k = 0; k < extra; k += 1) feed.items.unshift(story(f + 3, ITEMS + 1 + k));
        newStories += extra;
        feed.body = section(f + 3, feed.items);
        if (feed.etag) feed.etag = `"s${f + 3}-v2"`;
      }
      const repollStarted = performance.now();
      const second = wholeRound();
      clock.jump(EVERY_MINUTES * 60_000);
      await second;
      const repollMs = performance.now() - repollStarted;
      const cpu = process.cpuUsage(cpuBefore);
      arriving = false;
      clearTimeout(arrivalTimer);
      await service.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await dispatcher.idle();
      await dispatcher.stop();

      const queuedFromFeeds = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM articles WHERE source LIKE 'feed:%'`).get()!.n;
      await close();
      if (failed > 0) throw new Error(`${failed} polls failed`);
      if (queuedFromFeeds !== newStories) throw new Error(`the re-polls queued ${queuedFromFeeds} stories, expected ${newStories}`);
      const fromArrival: number[] = [];
      for (const post of sent) {
        const intended = arrivals.get(post.post.articleId);
        if (intended !== undefined) fromArrival.push(post.at - intended);
      }
      if (fromArrival.length !== arrivals.size) throw new Error(`${arrivals.size - fromArrival.length} breaking articles were not posted`);

      const perSec = (2 * FEEDS) / ((firstMs + repollMs) / 1000);
      say('feeds x items', `${FEEDS} x ${ITEMS} (${(served[0]!.body.length / 1024).toFixed(0)} KB each)`);
      say('first round (all new, marked seen)', `${firstMs.toFixed(0)} ms  (${Math.round(FEEDS / (firstMs / 1000))} polls/s)`);
      say('re-poll round (10% new, rest 304/same)', `${repollMs.toFixed(0)} ms  (${Math.round(FEEDS / (repollMs / 1000))} polls/s, ${newStories} stories queued)`);
      say('polls per second, both rounds', `${Math.round(perSec)}`);
      // CPU this process used (the server, the poller and the dispatcher): wall time divided by it shows what the machine's load took.
      say('process CPU, both rounds', `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms  (${(((cpu.user + cpu.system) / 1000 / (firstMs + repollMs)) * 100).toFixed(0)}% of one core)`);
      say(`breaking (every ${BREAKING_EVERY_MS} ms) arrival -> send()`, `${spread(fromArrival)}  (${fromArrival.length} posts)`);
      return { feedPollsPerSec: perSec, breakingP99DuringPollsMs: percentile(ascending(fromArrival), 99) };
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
