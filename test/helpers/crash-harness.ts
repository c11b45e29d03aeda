import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArticleInput } from '../../src/articles/article.js';
import type { OutboxLine } from '../../src/channel/outbox.js';
import { routeArticle } from '../../src/editions/routing.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createChannelsStore } from '../../src/store/channels-store.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { childEnv, logged, type RunningBot } from './processes.js';

/**
 * The crash harness shared by test/e2e/crash.test.ts (CI, fixed seed) and bench/crash.ts (longer):
 * runs the built bot (`node dist/main.js --dry-run`) as a real child process, SIGKILLs it at random
 * moments and restarts it until every article is settled, then checks outbox.jsonl and the database
 * against each other. Nothing here imports vitest's hooks, so the bench can use it outside a test.
 */

/** The slice of a started bot the harness needs; processes.ts's startBot returns one. */
export type BotProcess = Pick<RunningBot, 'child' | 'waitForLine' | 'exited' | 'stderr'>;
export type StartBot = (args: string[], env: NodeJS.ProcessEnv) => BotProcess;

export interface CrashRunOptions {
  /** Created if missing; holds newsdesk.db and outbox.jsonl. */
  dataDir: string;
  articles: number;
  /** Kills go on until every article is settled and at least this many were made. */
  minKills: number;
  seed: number;
  /** Starts the bot: the test passes processes.ts's startBot (killed if the test fails). */
  start: StartBot;
  /** Throws (after killing the bot) once this much time has gone. */
  timeBudgetMs: number;
  /** Share of the articles queued before the first start; the rest arrive while the bot runs. Default 0.8. */
  upfrontShare?: number;
  /** Share of restarts killed around the measured start-up time rather than after the bot is up. Default 0.15. */
  earlyKillShare?: number;
  /**
   * Share of kills that landed after the post was written but before it was confirmed whose line the
   * harness then cuts short, as a kill in the middle of the write would have (rare with real kills: the
   * write is one syscall). Default 0.25; 0 for real kills only.
   */
  tearShare?: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
  /**
   * Several channels: besides `main` (the bot's default), a `sport` channel is registered before the
   * first start, taking the sport category; about half the articles are sport stories, so they go to
   * both channels, the rest to main only. Every (article, channel) must then be posted exactly once.
   */
  twoChannels?: boolean;
}

/**
 * Where a kill landed, judged afterwards from the database and the outbox file: before the bot settled
 * what the last kill left; after a claim but before its line was written; after the line was written
 * but before the delivery was recorded as posted; in the middle of the write; or with no attempt open.
 */
export type KillPhase = 'start-up' | 'claimed, not written' | 'written, not confirmed' | 'torn write' | 'between attempts';

export interface CrashReport {
  seed: number;
  articles: number;
  kills: number;
  restarts: number;
  killsByPhase: Record<KillPhase, number>;
  /** Written lines the harness cut short after a kill (see tearShare). */
  tearsInjected: number;
  /** Median time from spawn to the bot being up (its "newsdesk started" line or first post's echo). */
  startupMs: number;
  elapsedMs: number;
  verdict: CrashVerdict;
}

export interface CrashVerdict {
  /** Complete outbox lines (posts). */
  posts: number;
  /** Lines cut by a kill mid-write: not posts, never confirmed. */
  tornLines: number;
  /** `<article id>@<channel>` of each delivery never posted, or posted more than once. */
  lost: string[];
  duplicated: string[];
  /** (article, channel) pairs expected: one post each. */
  expected: number;
  /** Posts per channel (complete outbox lines). */
  postsByChannel: Record<string, number>;
  abandonedAttempts: number;
  failedAttempts: number;
  /** Every way the database disagrees with the outbox (or with itself), one line each. */
  disagreements: string[];
}

const PHASES: readonly KillPhase[] = ['start-up', 'claimed, not written', 'written, not confirmed', 'torn write', 'between attempts'];

/** The bot's environment for a crash run: no gap, cap or jitter, normal articles released every second. */
export function crashEnv(dataDir: string): NodeJS.ProcessEnv {
  return childEnv({
    NEWSDESK_DATA_DIR: dataDir,
    NEWSDESK_MIN_GAP_SECONDS: '0',
    NEWSDESK_MAX_POSTS_PER_HOUR: '0',
    NEWSDESK_JITTER_SECONDS: '0',
    NEWSDESK_SCHEDULE: '* * * * * *',
    // Long summaries make lines that cross a page, so a kill can tear a write.
    NEWSDESK_SUMMARY_MAX_CHARS: '3000',
    NEWSDESK_LOG_LEVEL: 'info',
  });
}

/** mulberry32: a small seeded PRNG, so a failing seed replays the same kill moments and articles. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['flood', 'council', 'bridge', 'élection', 'ministre', 'storm', 'Kuala Lumpur', 'Straße', 'market', '🔥', 'rail', 'strike', '“quoted”', 'port'];

/** A mix: mostly breaking, some normal (released by the every-second schedule), a few timed a few seconds ahead. */
function makeArticle(n: number, seed: number, random: () => number, now: number, twoChannels = false): ArticleInput {
  const words = (count: number) => Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const kind = random();
  const long = random() < 0.1;
  return {
    headline: `Story ${n}: ${words(3 + Math.floor(random() * 6))}`,
    summary: words(long ? 250 + Math.floor(random() * 150) : 5 + Math.floor(random() * 40)),
    url: `https://news.example.com/crash/${seed}/${n}`,
    priority: kind < 0.6 || (kind >= 0.9 && random() < 0.5) ? 'breaking' : 'normal',
    ...(kind >= 0.9 ? { publishAt: now + 1_000 + Math.floor(random() * 10_000) } : {}),
    ...(twoChannels && random() < 0.5 ? { category: 'sport' } : {}),
    source: 'crash-test',
  };
}

/**
 * The bot is up: "newsdesk started", or the echo of its first post. The log line alone is not enough:
 * pino writes it asynchronously, and with a backlog the dry-run posting loop (every step resolves at
 * once) keeps the event loop busy until the backlog is drained, so the line only reaches the pipe after
 * the last post. The echo is a synchronous write and arrives as the first post is made.
 */
function isUp(line: { raw: string; json: Record<string, unknown> | null }): boolean {
  return logged('newsdesk started')(line) || line.raw.startsWith('── outbox · article ');
}

/** Waits until `performance.now()` reaches `at` (sub-millisecond, unlike a bare timer), or the bot exits. */
async function waitUntil(at: number, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const coarse = at - performance.now() - 1;
  if (coarse > 0) await Promise.race([sleep(coarse), exited]);
  while (!gone && performance.now() < at) await new Promise((r) => setImmediate(r));
}

/**
 * Runs the crash loop and returns what it did and what it found. Throws only when the harness cannot
 * go on (the bot failed to start or exited by itself, the time budget ran out, the signal aborted).
 */
export async function runCrashLoop(options: CrashRunOptions): Promise<CrashReport> {
  const started = performance.now();
  // Two streams: the articles stay the same for a seed however the kills fall (kill moments also
  // depend on the machine's timing, so a seed replays the draws, not the exact instants).
  const articleRandom = seededRandom(options.seed);
  const random = seededRandom(options.seed ^ 0x5eed);
  const env = crashEnv(options.dataDir);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase(path.join(options.dataDir, 'newsdesk.db'));
  // The registry as the bot reads it (the dry-run default channel is `main`, its target `outbox`).
  const registry = createChannelsStore(db, { name: 'main', target: 'outbox', minGapMs: 0, maxPerHour: 0, quietHours: null });
  if (options.twoChannels && !registry.get('sport')) {
    registry.add({ name: 'sport', target: '120363000000000002@newsletter', categories: ['sport'] }, Date.now(), 'crash-test');
  }
  const queue = createArticleQueue(db, { defaultChannel: 'main', route: (a, explicit) => routeArticle(a, registry.list(), explicit) });
  const outbox = path.join(options.dataDir, 'outbox.jsonl');
  const probe = createProbe(db, outbox);
  const upfront = Math.round(options.articles * (options.upfrontShare ?? 0.8));
  const earlyShare = options.earlyKillShare ?? 0.15;
  const tearShare = options.tearShare ?? 0.25;
  // Planned a little past the minimum, so the window controller aims to finish after it, not before.
  const plannedKills = Math.ceil(options.minKills * 1.2);
  let queued = 0;
  const enqueue = (count: number) => {
    for (let i = 0; i < count && queued < options.articles; i += 1) {
      queued += 1;
      const now = Date.now();
      queue.enqueue(makeArticle(queued, options.seed, articleRandom, now, options.twoChannels), now);
    }
  };

  const killsByPhase = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<KillPhase, number>;
  const startups: number[] = [];
  let kills = 0;
  let starts = 0;
  let tears = 0;
  let windowMs = 10; // kill within this long after the bot is up; tuned as the run goes
  let bot: BotProcess | null = null;
  try {
    enqueue(upfront);
    while (queued < options.articles || probe.unsettled() > 0 || kills < options.minKills) {
      if (options.signal?.aborted) throw new Error('crash run aborted (test timeout?)');
      if (performance.now() - started > options.timeBudgetMs) {
        throw new Error(`crash run over its ${options.timeBudgetMs} ms budget after ${kills} kills, ${probe.unsettled()} unsettled, ${options.articles - queued} never queued`);
      }
      const before = probe.snapshot();
      const postedBefore = probe.posted();
      const spawnedAt = performance.now();
      bot = options.start(['--dry-run'], env);
      starts += 1;
      const early = startups.length >= 3 && random() < earlyShare;
      let seenStart = false;
      if (early) {
        // Around the start-up time: loading, opening the database, reconciling, or the first post.
        await waitUntil(spawnedAt + median(startups) * (0.5 + 0.6 * random()), bot.exited);
      } else {
        await bot.waitForLine(isUp, 30_000);
        seenStart = true;
        startups.push(performance.now() - spawnedAt);
        const left = options.articles - queued;
        if (left > 0) enqueue(Math.round((2 * left * random()) / Math.max(1, plannedKills * 0.7 - kills)));
        await waitUntil(performance.now() + random() * windowMs, bot.exited);
      }
      if (bot.child.exitCode !== null || bot.child.signalCode !== null) {
        throw new Error(`the bot exited by itself (code ${bot.child.exitCode}, signal ${bot.child.signalCode}); stderr:\n${bot.stderr.join('\n')}`);
      }
      bot.child.kill('SIGKILL');
      await bot.exited;
      bot = null;
      kills += 1;
      const phase = probe.phase(before, seenStart);
      killsByPhase[phase] += 1;
      if (phase === 'written, not confirmed' && random() < tearShare) {
        tearLastLine(outbox, random);
        tears += 1;
      }

      if (!early) {
        // Aim for the posts left to be spread over the kills left: too many per kill shortens the window.
        const target = (probe.unsettled() + options.articles - queued) / Math.max(1, plannedKills - kills);
        const posted = probe.posted() - postedBefore;
        windowMs = Math.min(3_000, Math.max(0.5, windowMs * (posted > target ? 0.7 : 1.25)));
      }
      if (kills % 50 === 0) {
        options.progress?.(`${kills} kills, ${probe.posted()}/${queued} posted, window ${windowMs.toFixed(1)} ms, start-up ${median(startups).toFixed(0)} ms`);
      }
    }
    return {
      seed: options.seed,
      articles: options.articles,
      kills,
      restarts: starts - 1,
      killsByPhase,
      tearsInjected: tears,
      startupMs: median(startups),
      elapsedMs: performance.now() - started,
      verdict: verifyOutcome(db, outbox),
    };
  } finally {
    if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    db.close();
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 300; // a first guess until measured; only the early kills use it
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface DeliveryRecord {
  id: number;
  article_id: number;
  channel: string;
  status: string;
  text: string;
  message_id: string | null;
}

/** Looks at the database and the outbox between runs, while no bot is running. */
function createProbe(db: Db, outbox: string) {
  const unsettled = db.prepare<[], { n: number }>(
    `SELECT (SELECT COUNT(*) FROM articles WHERE status IN ('queued', 'posting'))
          + (SELECT COUNT(*) FROM deliveries WHERE status = 'sending') AS n`,
  );
  const posted = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM articles WHERE status = 'posted'`);
  const open = db.prepare<[], DeliveryRecord>(`SELECT * FROM deliveries WHERE status = 'sending' ORDER BY id`);
  return {
    unsettled: () => unsettled.get()!.n,
    posted: () => posted.get()!.n,
    /** What a start must find and settle: the open attempt, a cut last line. */
    snapshot: () => ({ openAttempt: open.all()[0]?.id ?? null, endsMidLine: readOutbox(outbox, 64 * 1024).endsMidLine }),
    /** Where the kill that just happened landed; `before` is the snapshot taken before the start. */
    phase(before: { openAttempt: number | null; endsMidLine: boolean }, seenStart: boolean): KillPhase {
      const tail = readOutbox(outbox, 64 * 1024);
      const attempt = open.all()[0];
      // Unchanged since before the start: the kill came before the bot repaired or reconciled anything.
      if (tail.endsMidLine && before.endsMidLine && attempt?.id === before.openAttempt) return 'start-up';
      if (tail.endsMidLine) return 'torn write';
      if (attempt && attempt.id === before.openAttempt) return 'start-up'; // before reconcile settled it
      if (!attempt) return seenStart ? 'between attempts' : 'start-up';
      const written = tail.lines.some((l) => l.articleId === attempt.article_id && l.channel === attempt.channel && l.text === attempt.text);
      return written ? 'written, not confirmed' : 'claimed, not written';
    },
  };
}

/**
 * Cuts the file's last line to a random length, keeping 1 byte up to all of it but its newline: what a
 * kill in the middle of the append leaves (the bot repairs the file at its next start).
 */
function tearLastLine(file: string, random: () => number): void {
  const data = fs.readFileSync(file);
  const lineStart = data.lastIndexOf(0x0a, data.length - 2) + 1;
  const lineLength = data.length - 1 - lineStart;
  fs.truncateSync(file, lineStart + 1 + Math.floor(random() * lineLength));
}

/** Parses outbox.jsonl (or its last `bytes`): complete lines, lines a kill cut, whether the file ends mid-line. */
export function readOutbox(file: string, bytes = Infinity): { lines: OutboxLine[]; torn: string[]; endsMidLine: boolean } {
  let data: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const start = Number.isFinite(bytes) ? Math.max(0, size - bytes) : 0;
      data = Buffer.alloc(size - start);
      fs.readSync(fd, data, 0, data.length, start);
      if (start > 0) data = data.subarray(data.indexOf(0x0a) + 1);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    data = Buffer.alloc(0);
  }
  const endsMidLine = data.length > 0 && data[data.length - 1] !== 0x0a;
  const lines: OutboxLine[] = [];
  const torn: string[] = [];
  for (const raw of data.toString('utf8').split('\n')) {
    if (!raw) continue;
    const line = parseLine(raw);
    if (line) lines.push(line);
    else torn.push(raw);
  }
  return { lines, torn, endsMidLine };
}

/**
 * The oracle, run once no bot is running: every (article, channel) the article was routed to exactly
 * once in the outbox (lines carry their channel), and the database agreeing line by line (the channel
 * row posted, one posted delivery on that channel carrying that line's message id and text).
 */
export function verifyOutcome(db: Db, outbox: string): CrashVerdict {
  const { lines, torn } = readOutbox(outbox);
  const pairs = db
    .prepare<[], { article_id: number; channel: string; status: string }>('SELECT article_id, channel, status FROM article_channels ORDER BY article_id, channel')
    .all();
  const deliveries = db.prepare<[], DeliveryRecord>('SELECT * FROM deliveries ORDER BY id').all();
  const key = (articleId: number, channel: string) => `${articleId}@${channel}`;
  const linesOf = groupBy(lines, (l) => key(l.articleId, l.channel));
  const deliveriesOf = groupBy(deliveries, (d) => key(d.article_id, d.channel));
  const known = new Set(pairs.map((p) => key(p.article_id, p.channel)));
  const disagreements: string[] = [];
  for (const k of linesOf.keys()) if (!known.has(k)) disagreements.push(`outbox has a post for ${k}, which the database never routed`);
  for (const pair of pairs) {
    const k = key(pair.article_id, pair.channel);
    const mine = linesOf.get(k) ?? [];
    const postedRows = (deliveriesOf.get(k) ?? []).filter((d) => d.status === 'posted');
    if (pair.status !== 'posted') disagreements.push(`${k} is '${pair.status}', not 'posted'`);
    if (postedRows.length !== 1) disagreements.push(`${k} has ${postedRows.length} 'posted' deliveries, not 1`);
    const line = mine[0];
    const row = postedRows[0];
    if (mine.length === 1 && line && row) {
      if (row.message_id !== line.messageId) disagreements.push(`${k}: delivery ${row.id} says message ${row.message_id}, the outbox ${line.messageId}`);
      if (row.text !== line.text) disagreements.push(`${k}: delivery ${row.id} text differs from the outbox line`);
    }
  }
  const notPosted = db.prepare<[], { id: number; status: string }>(`SELECT id, status FROM articles WHERE status <> 'posted' ORDER BY id`).all();
  for (const a of notPosted) disagreements.push(`article ${a.id} is '${a.status}', not 'posted'`);
  for (const d of deliveries) if (d.status === 'sending') disagreements.push(`delivery ${d.id} (${key(d.article_id, d.channel)}) is still 'sending'`);
  const postsByChannel: Record<string, number> = {};
  for (const l of lines) postsByChannel[l.channel] = (postsByChannel[l.channel] ?? 0) + 1;
  return {
    posts: lines.length,
    tornLines: torn.length,
    lost: pairs.map((p) => key(p.article_id, p.channel)).filter((k) => !linesOf.has(k)),
    duplicated: [...linesOf].filter(([, l]) => l.length > 1).map(([k]) => k),
    expected: pairs.length,
    postsByChannel,
    abandonedAttempts: deliveries.filter((d) => d.status === 'abandoned').length,
    failedAttempts: deliveries.filter((d) => d.status === 'failed').length,
    disagreements,
  };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function parseLine(raw: string): OutboxLine | null {
  try {
    const parsed = JSON.parse(raw) as Partial<OutboxLine>;
    const ok = typeof parsed.articleId === 'number' && typeof parsed.text === 'string' && typeof parsed.messageId === 'string';
    return ok ? (parsed as OutboxLine) : null;
  } catch {
    return null; // cut by a kill mid-write: counted as torn by the caller
  }
}

/** The figures of a run as a few printable lines (the test and the bench print the same). */
export function describeReport(report: CrashReport): string {
  const v = report.verdict;
  const phases = PHASES.map((p) => `${p} ${report.killsByPhase[p]}`).join(', ');
  return [
    `seed ${report.seed}: ${report.articles} articles, ${report.kills} SIGKILLs, ${report.restarts} restarts in ${(report.elapsedMs / 1000).toFixed(1)} s (start-up ${report.startupMs.toFixed(0)} ms)`,
    `kills landed: ${phases}`,
    `outbox: ${v.posts} posts (${Object.entries(v.postsByChannel).map(([c, n]) => `${c} ${n}`).join(', ')}) for ${v.expected} deliveries, ${v.tornLines} torn lines (${report.tearsInjected} cut by the harness, ${report.killsByPhase['torn write']} by a kill); lost ${v.lost.length}, duplicated ${v.duplicated.length}; attempts abandoned ${v.abandonedAttempts}, failed ${v.failedAttempts}; disagreements ${v.disagreements.length}`,
  ].join('\n');
}
