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
 * Here the running bot's connection never checkpoints (`wal_autocheckpoint = 0`); a worker thread with
 * its own connection to the same file runs a PASSIVE checkpoint every `intervalMs`. PASSIVE never
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
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: options.intervalMs ?? 200 } });
  let stopped = false;
  const fail = (reason: string) => {
    if (counts.failed !== null || stopped) return;
    counts.failed = reason;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    options.onFailure?.(reason);
    void worker.terminate();
  };
  worker.on('message', (message: { kind: 'checkpointed'; pages: number } | { kind: 'failed'; reason: string }) => {
    if (message.kind === 'checkpointed') {
      counts.checkpoints += 1;
      counts.pagesCopied += message.pages;
    } else fail(message.reason);
  });
  // What a worker throws arrives cloned, not always as an Error.
  worker.on('error', (error: unknown) => fail(String((error as { message?: unknown } | null)?.message ?? error)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', (code) => {
    if (!stopped) fail(`the checkpoint worker exited (code ${code})`);
  });
  // The bot's exit is not held up by the worker.
  worker.unref();
  return {
    stats: () => ({ ...counts }),
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
