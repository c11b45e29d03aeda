import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

/** The database cannot be opened or is newer than this program. The message says what to do. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * Opens (creating if needed) the SQLite file with the pragmas Newsdesk relies on, and applies
 * pending migrations, each in its own transaction together with its `user_version` bump.
 *
 * - WAL: the CLI and the bot read and write the same file at once.
 * - synchronous=FULL: a commit is on disk before enqueue returns, so an acknowledged alert survives
 *   power loss, not only a process crash.
 * - busy_timeout: a writer in another process makes us wait, not fail: 10 s (the CLI and tools, where
 *   blocking costs nothing). The bot passes `busyTimeoutMs` (RUNNING_BUSY_TIMEOUT_MS), applied once
 *   the migrations are done, and its doors retry asynchronously instead (busy-retry.ts).
 */
export function openDatabase(file: string, options: { checkIntegrity?: boolean | 'when-changed'; busyTimeoutMs?: number } = {}): Db {
  try {
    // Owner only: the database holds the audit log and the session the heartbeat describes.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    createOwnerOnly(file);
  } catch (cause) {
    throw new StoreError(
      `cannot create the data folder ${path.dirname(file)}: ${(cause as Error).message}; set NEWSDESK_DATA_DIR to a writable folder`,
      { cause },
    );
  }
  let db: Db;
  try {
    db = new Database(file);
  } catch (cause) {
    throw new StoreError(`cannot open database ${file}: ${(cause as Error).message}; check that the data folder is writable`, { cause });
  }
  try {
    db.pragma('busy_timeout = 10000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (options.checkIntegrity === true || (options.checkIntegrity === 'when-changed' && !unchangedSinceCheck(file))) {
      checkIntegrity(db, file);
      noteCheckedClean(file);
    }
    migrate(db);
    if (options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  } catch (cause) {
    db.close();
    if (cause instanceof StoreError) throw cause;
    const code = (cause as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      throw new StoreError(
        `database ${file} is damaged or not a database (${(cause as Error).message}): move the file away and restore the newest backup, or start with an empty data folder`,
        { cause },
      );
    }
    throw new StoreError(`cannot prepare database ${file}: ${(cause as Error).message}`, { cause });
  }
  return db;
}

/**
 * Creates the database file readable by its owner only (0600), before SQLite does with the umask's
 * 0644; SQLite gives the -wal and -shm files the database file's permissions.
 */
function createOwnerOnly(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
  }
}

/** Refuses a damaged database file rather than posting from (and writing into) it. */
function checkIntegrity(db: Db, file: string): void {
  const rows = db.pragma('integrity_check(20)') as { integrity_check: string }[];
  const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    throw new StoreError(
      `database ${file} is damaged (${problems.slice(0, 3).join('; ')}): stop Newsdesk, move the file away and restore the newest backup (the "backup" command writes them), or start with an empty data folder`,
    );
  }
}

/**
 * Where the stat of the database file at its last clean integrity check is kept: `.NAME.checked`
 * beside it. A full check reads every page (over a second for 100,000 articles), too slow for every
 * CLI call; the CLI checks again only when the file is not the one last found clean.
 */
function checkedRecord(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.checked`);
}

function fileIdentity(file: string): string {
  const stat = fs.statSync(file, { bigint: true });
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
}

/** Whether the database file is, by device, inode, size and mtime, the one last found clean. */
function unchangedSinceCheck(file: string): boolean {
  try {
    return fs.readFileSync(checkedRecord(file), 'utf8') === fileIdentity(file);
  } catch {
    return false; // never checked (or the record is unreadable): check now
  }
}

/**
 * Records that the database file, as it is now, is clean: after a passed check, and after a CLI call's
 * own writes (its checkpoint at close changes the file through SQLite, not around it).
 */
export function noteCheckedClean(file: string): void {
  try {
    fs.writeFileSync(checkedRecord(file), fileIdentity(file), { mode: 0o600 });
  } catch {
    // Only an accelerator: without the record the next CLI call checks the whole file again.
  }
}

/** Whether an error means the database cannot be written now (full disk, read-only file, I/O failure). */
export function isStorageUnwritable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)/.test(code);
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      `database schema version ${current} is newer than this Newsdesk (knows ${MIGRATIONS.length}): upgrade Newsdesk or restore a backup`,
    );
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version += 1) {
    const apply = db.transaction(() => {
      // Re-check inside the write transaction: another process may have migrated meanwhile.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= version) return;
      const migration = MIGRATIONS[version - 1]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${version}`);
    });
    apply.immediate();
  }
}
