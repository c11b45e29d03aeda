import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The lock file (an SQLite database that is never written) and the note of who holds it. */
export const LOCK_FILE = 'newsdesk.lock';
export const PID_FILE = 'newsdesk.pid';

/** Another bot holds the data folder. `pid` is the holder's process id when it could be read. */
export class DataFolderLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | null,
  ) {
    super(
      `another Newsdesk bot${pid === null ? '' : ` (PID ${pid})`} is already running on ${dataDir}: stop it first ` +
        `(${pid === null ? 'see "ps aux | grep dist/main.js"' : `kill ${pid}`}), or give this one its own NEWSDESK_DATA_DIR. ` +
        'The CLI and backups work beside the running bot.',
    );
    this.name = 'DataFolderLockedError';
  }
}

export interface DataLock {
  /** Gives the folder up (also happens by itself when the process ends, however it ends). */
  release(): void;
}

/**
 * Takes the data folder for this bot, or throws DataFolderLockedError naming the bot that has it.
 *
 * Why an SQLite lock and not a pid file: the lock is SQLite's own exclusive file lock (POSIX `fcntl`,
 * held by `locking_mode=EXCLUSIVE` plus a write transaction that is never committed). The kernel drops
 * such a lock when the process ends in any way, SIGKILL and power loss included, so a crashed bot never
 * leaves the folder locked and nothing has to guess whether a stale pid still means the same process
 * (pids are reused, in containers almost always: the bot is PID 1 or 7 on every start). Plain Node has
 * no flock/fcntl; better-sqlite3, which the store uses anyway, gives us SQLite's. The pid file beside it
 * is only a note for the message: the lock decides.
 *
 * The CLI and backups do not take this lock; they share the database with the bot through WAL.
 */
export function lockDataFolder(dataDir: string, pid = process.pid): DataLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('journal_mode = MEMORY'); // nothing is ever written: no journal file beside the lock
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE'); // held until the connection closes or the process dies
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new DataFolderLockedError(dataDir, readPid(dataDir));
    throw err;
  }
  const pidFile = path.join(dataDir, PID_FILE);
  fs.writeFileSync(pidFile, `${pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        fs.rmSync(pidFile, { force: true });
      } finally {
        db.close(); // ends the transaction, and with it the lock
      }
    },
  };
}

function readPid(dataDir: string): number | null {
  try {
    const text = fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim();
    return /^\d{1,10}$/.test(text) ? Number(text) : null;
  } catch {
    return null; // the holder has not written it yet (or it was removed by hand): the message says so
  }
}
