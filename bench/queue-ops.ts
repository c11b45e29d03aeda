import path from 'node:path';
import type { Article } from '../src/articles/article.js';
import { createArticleQueue } from '../src/store/article-queue.js';
import { openDatabase, type Db } from '../src/store/open-database.js';
import { median, ratio, say, withTempDir, type Figures, type Target } from './support.js';

const ROUNDS = 5;
const CYCLES_PER_ROUND = 400;
const WARMUP_CYCLES = 50;

/** Newsdesk's queue may cost at most twice the bare SQL it runs. */
export const targets: readonly Target[] = [{ figure: 'queueOpsRatio', op: '>=', limit: 0.5 }];

type Side = 'queue' | 'bare';
const SIDES: readonly Side[] = ['queue', 'bare'];
const REVERSED: readonly Side[] = ['bare', 'queue'];

/** One cycle = enqueue + claimNext + markPosted: the life of one article, three write transactions. */
type Cycle = (n: number) => void;

/** The same cheap text on both sides, so render cost (the caller's, not the queue's) stays out. */
const textOf = (headline: string, url: string): string => `*${headline}*\n\n${url}`;
const headlineOf = (n: number): string => `Council approves the new tram line after a long debate (${n})`;
const urlOf = (n: number): string => `https://news.example.com/2026/tram-${n}`;

function newsdeskCycle(db: Db): Cycle {
  const queue = createArticleQueue(db);
  const render = (article: Article) => textOf(article.headline, article.url);
  return (n) => {
    const now = Date.now();
    queue.enqueue({ headline: headlineOf(n), url: urlOf(n), priority: 'breaking', source: 'bench' }, now);
    const claim = queue.claimNext(now, now, 'bench', render);
    if (claim?.kind !== 'claimed') throw new Error(`queue cycle ${n}: nothing claimed`);
    queue.markPosted(claim.delivery.id, `msg-${n}`, now);
  };
}

/**
 * The statements the store runs, bare: the same SQL text for the writes and the due query, each op in
 * its own BEGIN IMMEDIATE like the store, minus the store's extras (validation, canonical URL, the
 * duplicate check and re-reads, row mapping). The database is opened by openDatabase only so the
 * pragmas and schema are the store's by construction; the connection itself is used directly.
 */
function bareCycle(db: Db): Cycle {
  const insert = db.prepare(
    `INSERT INTO articles (headline, summary, url, canonical_url, image_url, category, priority, publish_at, timed,
       source, status, attempts, next_attempt_at, created_at, updated_at)
     VALUES (@headline, '', @url, @url, NULL, NULL, 'breaking', @now, 0, 'bench', 'queued', 0, 0, @now, @now)`,
  );
  const nextDue = db.prepare<{ now: number }, { id: number; headline: string; url: string; attempts: number }>(
    `SELECT * FROM articles WHERE status = 'queued' AND publish_at <= @now AND next_attempt_at <= @now
       AND (priority = 'breaking' OR timed = 1 OR created_at <= @now)
     ORDER BY CASE priority WHEN 'breaking' THEN 0 ELSE 1 END, publish_at, id LIMIT 1`,
  );
  const markPosting = db.prepare(
    `UPDATE articles SET status = 'posting', attempts = attempts + 1, updated_at = @now WHERE id = @id AND status = 'queued'`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (article_id, attempt, channel, status, text, error, finished_at, started_at)
     VALUES (@articleId, @attempt, 'bench', 'sending', @text, NULL, NULL, @now)`,
  );
  const finishDelivery = db.prepare(
    `UPDATE deliveries SET status = 'posted', message_id = @messageId, error = NULL, finished_at = @now
     WHERE id = @id AND status = 'sending'`,
  );
  const articlePosted = db.prepare(
    `UPDATE articles SET status = 'posted', posted_at = @now, updated_at = @now, last_error = NULL WHERE id = @id`,
  );

  const enqueue = db.transaction((headline: string, url: string, now: number) => insert.run({ headline, url, now }));
  const claim = db.transaction((now: number) => {
    const row = nextDue.get({ now });
    if (!row) return null;
    markPosting.run({ id: row.id, now });
    const info = insertDelivery.run({ articleId: row.id, attempt: row.attempts + 1, text: textOf(row.headline, row.url), now });
    return { articleId: row.id, deliveryId: Number(info.lastInsertRowid) };
  });
  const posted = db.transaction((articleId: number, deliveryId: number, messageId: string, now: number) => {
    finishDelivery.run({ id: deliveryId, messageId, now });
    articlePosted.run({ id: articleId, now });
  });

  return (n) => {
    const now = Date.now();
    enqueue.immediate(headlineOf(n), urlOf(n), now);
    const claimed = claim.immediate(now);
    if (!claimed) throw new Error(`bare cycle ${n}: nothing claimed`);
    posted.immediate(claimed.articleId, claimed.deliveryId, `msg-${n}`, now);
  };
}

/**
 * One round: `count` cycles on each side, interleaved cycle by cycle (queue, bare, bare, queue, …) so
 * both sides meet the same disk and the same neighbours; a stall hits one pair, not one side.
 * Returns each side's cycles per second over the time spent in its own cycles.
 */
function round(sides: Record<Side, Cycle>, first: number, count: number): Record<Side, number> {
  const spent = { queue: 0, bare: 0 };
  for (let n = first; n < first + count; n += 1) {
    const order = n % 2 === 0 ? SIDES : REVERSED;
    for (const side of order) {
      const started = performance.now();
      sides[side](n);
      spent[side] += performance.now() - started;
    }
  }
  return { queue: count / (spent.queue / 1000), bare: count / (spent.bare / 1000) };
}

/**
 * Throughput of the article queue against the bare SQL it runs, same pragmas, same schema, same run.
 * Each side has its own database file. Cycles are interleaved, and the ratio is the median of
 * per-round ratios, so a burst of disk or CPU contention from a neighbour skews one round at most.
 */
export async function run(): Promise<Figures> {
  return withTempDir(async (dir) => {
    const queueDb = openDatabase(path.join(dir, 'queue.db'));
    const bareDb = openDatabase(path.join(dir, 'bare.db'));
    try {
      const sides = { queue: newsdeskCycle(queueDb), bare: bareCycle(bareDb) };
      round(sides, 0, WARMUP_CYCLES);
      const rates = { queue: [] as number[], bare: [] as number[], ratio: [] as number[] };
      for (let r = 0; r < ROUNDS; r += 1) {
        const rate = round(sides, WARMUP_CYCLES + r * CYCLES_PER_ROUND, CYCLES_PER_ROUND);
        rates.queue.push(rate.queue);
        rates.bare.push(rate.bare);
        rates.ratio.push(rate.queue / rate.bare);
        say(`round ${r + 1}`, `queue ${fmt(rate.queue)}  bare ${fmt(rate.bare)}  ratio ${ratio(rate.queue / rate.bare)}`);
      }
      const figures = {
        queueOpsPerSec: median(rates.queue),
        bareSqlOpsPerSec: median(rates.bare),
        queueOpsRatio: median(rates.ratio),
      };
      say(`median of ${ROUNDS} x ${CYCLES_PER_ROUND} cycles`, `queue ${fmt(figures.queueOpsPerSec)}  bare ${fmt(figures.bareSqlOpsPerSec)}`);
      say('queue / bare (median of rounds)', ratio(figures.queueOpsRatio));
      say('queue commits/s (3 per cycle)', `${Math.round(figures.queueOpsPerSec * 3)}/s`);
      return figures;
    } finally {
      queueDb.close();
      bareDb.close();
    }
  });
}

const fmt = (perSec: number): string => `${Math.round(perSec)} cycles/s`;
