import path from 'node:path';
import type { ArticleInput } from '../src/articles/article.js';
import { formatPost } from '../src/articles/format.js';
import { systemClock } from '../src/clock.js';
import { createDispatcher } from '../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../src/store/article-queue.js';
import { openDatabase, type Db } from '../src/store/open-database.js';
import { createBenchChannel } from './fake-channel.js';
import { ascending, percentile, ratio, say, silentLogger, spread, withTempDir, type Figures, type Target } from './support.js';

const WARMUP = 50;
const MEASURED = 1_000;
const P99_LIMIT_MS = 25;

/** A breaking article must reach WhatsApp fast; the rest of the budget is WhatsApp's. */
export const targets: readonly Target[] = [{ figure: 'enqueueToPostP99Ms', op: '<=', limit: P99_LIMIT_MS }];

/** The production defaults (config.ts) for how a post is rendered. */
const FORMAT = { summaryMaxChars: 300, breakingLabel: '🔴 BREAKING' };

const SUMMARY =
  'Emergency services have closed the main road bridge after river levels rose by more than a metre overnight. ' +
  'Residents of the low-lying streets along the embankment are being asked to move cars to higher ground and to ' +
  'follow the council’s advice on sandbags, which are available at the fire station until 8 pm. Trains between the ' +
  'two stations are replaced by buses; the operator expects disruption to last at least until Thursday morning.';

/** A typical breaking story: the summary is longer than the cut, so the real cut-at-word path runs. */
function breakingArticle(n: number): ArticleInput {
  return {
    headline: `River bursts its banks in the old town, bridge closed (update ${n})`,
    summary: SUMMARY,
    url: `https://news.example.com/2026/flood-live-${n}?utm_source=bench`,
    priority: 'breaking',
    source: 'bench',
  };
}

/**
 * Enqueue-to-post latency of an idle dispatcher: one breaking article at a time, each posted and
 * confirmed before the next is queued. Real SQLite file (WAL, synchronous=FULL), real clock, real
 * render; only the channel is a fake. "Post" ends when the dispatcher calls channel.send().
 */
export async function run(): Promise<Figures> {
  return withTempDir(async (dir) => {
    const db = openDatabase(path.join(dir, 'newsdesk.db'));
    try {
      return await measure(db);
    } finally {
      db.close();
    }
  });
}

async function measure(db: Db): Promise<Figures> {
  const queue = createArticleQueue(db);
  const channel = createBenchChannel();
  const confirmedAt = new Map<number, number>();
  const failures: string[] = [];
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock: systemClock,
    log: silentLogger,
    render: (article) => formatPost(article, FORMAT),
    minGapMs: 0,
    maxAttempts: 5,
    sendTimeoutMs: 60_000,
    confirmDelaysMs: [0],
    events: {
      posted: (article) => confirmedAt.set(article.id, performance.now()),
      failed: (article, error) => failures.push(`article ${article.id} failed: ${error}`),
    },
  });
  dispatcher.start();
  await dispatcher.idle();

  const enqueueMs: number[] = [];
  const toSendMs: number[] = [];
  const toConfirmedMs: number[] = [];
  const sendToConfirmedMs: number[] = [];
  try {
    for (let n = 1; n <= WARMUP + MEASURED; n += 1) {
      const started = performance.now();
      const { article } = queue.enqueue(breakingArticle(n), systemClock.now());
      const enqueued = performance.now();
      dispatcher.wake('enqueue');
      // The fake channel never waits on a timer, so the whole post settles within this await.
      await dispatcher.idle();
      const sent = channel.sent[channel.sent.length - 1];
      const confirmed = confirmedAt.get(article.id);
      if (failures.length > 0) throw new Error(failures.join('; '));
      if (confirmed === undefined || sent?.post.articleId !== article.id) {
        throw new Error(`article ${article.id} was not posted and confirmed once the dispatcher went idle`);
      }
      if (n <= WARMUP) continue;
      enqueueMs.push(enqueued - started);
      toSendMs.push(sent.at - started);
      toConfirmedMs.push(confirmed - started);
      sendToConfirmedMs.push(confirmed - sent.at);
    }
  } finally {
    await dispatcher.stop();
  }

  const send = ascending(toSendMs);
  const settled = ascending(toConfirmedMs);
  const p50 = percentile(send, 50);
  const p99 = percentile(send, 99);
  say(`articles (after ${WARMUP} warm-up)`, String(MEASURED));
  say('enqueue -> send()', spread(toSendMs));
  say('enqueue -> confirmed (markPosted)', spread(toConfirmedMs));
  say('  of which queue.enqueue()', spread(enqueueMs));
  say('  of which wake -> send()', spread(toSendMs.map((t, i) => t - enqueueMs[i]!)));
  say('  of which send() -> confirmed', spread(sendToConfirmedMs));
  say('send p99 / p50', ratio(p99 / p50));
  say(`send p99 / target (${P99_LIMIT_MS} ms)`, `${ratio(p99 / P99_LIMIT_MS)} of the budget`);
  return {
    enqueueToPostP50Ms: p50,
    enqueueToPostP99Ms: p99,
    enqueueToConfirmedP50Ms: percentile(settled, 50),
    enqueueToConfirmedP99Ms: percentile(settled, 99),
  };
}
