import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatPost } from '../src/articles/format.js';
import { systemClock } from '../src/clock.js';
import { createDispatcher, type Dispatcher } from '../src/dispatch/dispatcher.js';
import type { Logger } from '../src/log.js';
import type { ArticleQueue } from '../src/store/article-queue.js';
import { startCheckpointer } from '../src/store/checkpointer.js';
import { openDatabase, type Db } from '../src/store/open-database.js';
import { createBenchChannel, type SentPost } from './fake-channel.js';

/** Named numbers one benchmark reports; run.ts merges them into the final JSON line. */
export type Figures = Record<string, number>;

/** A bound a figure should meet. A miss is reported, never fatal: the machines are shared and noisy. */
export interface Target {
  figure: string;
  op: '<=' | '>=';
  limit: number;
}

/** One benchmark: a file exporting `run` (and, if it has any, `targets`), registered in run.ts. */
export interface BenchModule {
  name: string;
  run(): Promise<Figures>;
  targets?: readonly Target[];
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Ascending copy. */
export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function median(values: readonly number[]): number {
  return percentile(ascending(values), 50);
}

/** p50 / p99 / max of samples in ms, as one printable string. */
export function spread(samples: readonly number[]): string {
  const s = ascending(samples);
  return `p50 ${ms(percentile(s, 50))}  p99 ${ms(percentile(s, 99))}  max ${ms(s[s.length - 1]!)}`;
}

export const ms = (value: number): string => `${value.toFixed(3)} ms`;
export const ratio = (value: number): string => `${value.toFixed(2)}x`;

/** Prints one indented "label: value" line, so output reads as a table while it runs. */
export function say(label: string, value: string): void {
  console.log(`  ${label.padEnd(34)} ${value}`);
}

/** Runs `fn` with a fresh folder in the OS temp dir (a real disk: fsync cost is part of the figures). */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The database as the running bot opens it (app.ts): WAL checkpoints in a worker thread, not inside
 * commits. `close` stops the worker, then closes the connection.
 */
export function openBotDatabase(file: string): { db: Db; close(): Promise<void> } {
  const db = openDatabase(file);
  const checkpointer = startCheckpointer(db, file, { onFailure: (reason) => console.error(`checkpoint worker failed: ${reason}`) });
  return {
    db,
    async close() {
      await checkpointer.stop();
      db.close();
    },
  };
}

/**
 * Discards every entry. Production logs through pino (a few µs per line); leaving logging out keeps the
 * figures about the queue and the dispatcher and keeps stdout for the report.
 */
export const silentLogger: Logger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  child: () => silentLogger,
};

/**
 * The dispatcher the feed benchmarks post breaking news through: the real one, on the real clock, with
 * no pacing (minGapMs 0) and an instant read-back, over the in-memory bench channel.
 */
export function createBenchDispatcher(queue: ArticleQueue): { dispatcher: Dispatcher; sent: SentPost[] } {
  const channel = createBenchChannel();
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock: systemClock,
    log: silentLogger,
    render: (article) => formatPost(article, { summaryMaxChars: 300, breakingLabel: '🔴 BREAKING' }),
    minGapMs: 0,
    maxAttempts: 5,
    sendTimeoutMs: 60_000,
    confirmDelaysMs: [0],
  });
  return { dispatcher, sent: channel.sent };
}
