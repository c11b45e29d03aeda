import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './open-database.js';

/**
 * WAL checkpoints off the event loop.
 *
 * In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them back into the
 * database file and fsyncs both. SQLite runs it inside whichever commit pushes the WAL past 1,000
 * pages, so one commit in a few (a feed poll's, or a breaking post's claim) stalled the bot's only
 * thread for the copy and two fsyncs: the longest waits a breaking post saw while feeds were ingested.
 *
 * Here the running bot's connection stops checkpointing (`wal_autocheckpoint = 0`) once a worker thread
 * with its own connection to the same file is ready; the worker runs a PASSIVE checkpoint every `intervalMs`. PASSIVE never
 * waits for or blocks a writer: commits go on appending while it copies, and the next commit after a
 * complete checkpoint starts the WAL over. Nothing about durability changes: commits still fsync the
 * WAL (synchronous=FULL) before they return, and a crash at any point leaves a WAL SQLite replays.
 *
 * If the worker cannot start or fails, the connection goes back to SQLite's own checkpoints (and the
 * reason is logged): slower turns, nothing lost.
 */
export interface Checkpointer {
  /** Checkpoints run so far that copied pages, and the pages they copied (for status and tests). */
  stats(): { checkpoints: number; pagesCopied: number; failed: string | null };
  /** Stops the worker and closes its connection (before the main connection closes). */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** How often the worker checkpoints (ms). Default 200: the WAL stays a few MB even under a busy ingest. */
  intervalMs?: number;
  /**
   * How long after the call the worker starts (ms). Default 0. The bot waits 5 s: start-up and the
   * backlog a restart leaves (what a crash-looping process does) keep SQLite's own checkpoints and do
   * not share the CPU with a new thread.
   */
  delayMs?: number;
  /** Told when the worker fails and SQLite's own checkpoints take over again. */
  onFailure?: (reason: string) => void;
}

/** SQLite's default, restored when the worker fails. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** The worker: CommonJS evaluated in the thread (no file of its own to ship or bundle). */
const WORKER_SOURCE = `
(() => {
  const { parentPort, workerData } = require('node:worker_threads');
  const reasonOf = (error) => String((error && error.message) || error);
  let db;
  try {
    const Database = require(workerData.driver);
    db = new Database(workerData.file, { fileMustExist: true });
    db.pragma('busy_timeout = 1000');
  } catch (error) {
    parentPort.postMessage({ kind: 'failed', reason: 'cannot open ' + workerData.file + ': ' + reasonOf(error) });
    return;
  }
  parentPort.postMessage({ kind: 'ready' });
  let timer = null;
  // The WAL's frame count and how many of them are copied, as of the last run: a WAL that started over
  // (fewer frames than before) was copied from its start.
  let last = { log: 0, checkpointed: 0 };
  const checkpoint = () => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      const restarted = result.log < last.log;
      const pages = restarted ? result.checkpointed : result.checkpointed - last.checkpointed;
      last = result;
      if (pages > 0) parentPort.postMessage({ kind: 'checkpointed', pages });
    } catch (error) {
      // Another checkpoint (a CLI's) holds the lock: this one runs next time.
      if (!error || error.code !== 'SQLITE_BUSY') {
        parentPort.postMessage({ kind: 'failed', reason: reasonOf(error) });
        return;
      }
    }
    timer = setTimeout(checkpoint, workerData.intervalMs);
  };
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    if (timer) clearTimeout(timer);
    db.close();
    parentPort.close();
  });
  timer = setTimeout(checkpoint, workerData.intervalMs);
})();
`;

/** Starts checkpointing `file` (the database `db` has open) from a worker thread. */
export function startCheckpointer(db: Db, file: string, options: CheckpointerOptions = {}): Checkpointer {
  const counts = { checkpoints: 0, pagesCopied: 0, failed: null as string | null };
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;
  const fail = (reason: string) => {
    if (counts.failed !== null || stopped) return;
    counts.failed = reason;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    options.onFailure?.(reason);
    void worker?.terminate();
  };
  const start = () => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: options.intervalMs ?? 200 } });
    worker = thread;
    thread.on('message', (message: { kind: 'ready' } | { kind: 'checkpointed'; pages: number } | { kind: 'failed'; reason: string }) => {
      // SQLite's own checkpoints stop only once the worker's connection is open and takes over.
      if (message.kind === 'ready') {
        if (counts.failed === null && !stopped && db.open) db.pragma('wal_autocheckpoint = 0');
      } else if (message.kind === 'checkpointed') {
        counts.checkpoints += 1;
        counts.pagesCopied += message.pages;
      } else fail(message.reason);
    });
    thread.on('error', (error: unknown) => fail(String((error as { message?: unknown } | null)?.message ?? error)));
    exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.once('exit', (code) => {
      if (!stopped) fail(`the checkpoint worker exited (code ${code})`);
    });
    // The bot's exit is not held up by the worker.
    thread.unref();
  };
  const delay = options.delayMs ?? 0;
  const timer = delay > 0 ? setTimeout(start, delay).unref() : null;
  if (!timer) start();
  return {
    stats: () => ({ ...counts }),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!worker) return;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker?.terminate(), 2_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
