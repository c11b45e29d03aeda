import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './open-database.js';

/** The backup cannot go where it was asked to (no such folder, not writable, name too long, exists). Nothing was written. */
export class BackupTargetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupTargetError';
  }
}

/** Longest file name we accept: the temporary name adds a few characters, and most file systems stop at 255. */
export const MAX_BACKUP_NAME = 200;

/** Errors that mean "this path cannot be used", as opposed to a failing disk (ENOSPC, EIO). */
const BAD_TARGET = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'EEXIST', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ELOOP', 'EINVAL', 'SQLITE_CANTOPEN']);

/**
 * Writes a consistent copy of the live database to `file` with `VACUUM INTO`: a snapshot taken inside
 * one read transaction, so the bot keeps posting while it runs and the copy is compact.
 *
 * The copy is written under a temporary name beside the target, flushed to disk (fsync), and only then
 * given its name with link(2), which never follows a symlink and never replaces anything: a killed
 * backup leaves at most a `.…partial` file (removed by the next backup to that name once it is dead),
 * never a half-written file under the name a restore would
 * use, and an existing file or (dangling) symlink under that name is refused, not written through.
 * Missing folders are created, one level at a time (Node's recursive mkdir loops for ever under /proc).
 */
export function backupDatabase(db: Db, file: string): void {
  const name = path.basename(file);
  if (name.length > MAX_BACKUP_NAME) throw new BackupTargetError(`the file name is ${name.length} characters; give one of at most ${MAX_BACKUP_NAME}`);
  const dir = path.dirname(file);
  try {
    makeFolder(dir);
    if (exists(file)) throw new BackupTargetError(`${file} already exists; choose another name (nothing is overwritten)`);
  } catch (err) {
    throw asTargetError(err, file);
  }
  removeDeadLeftovers(dir, name);
  const temporary = path.join(dir, `.${name}.${process.pid}.${process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')}.partial`);
  try {
    try {
      // Created empty and owner-only first: VACUUM INTO fills an empty file and keeps its permissions.
      fs.closeSync(fs.openSync(temporary, 'wx', 0o600));
    } catch (err) {
      throw asTargetError(err, file);
    }
    try {
      db.prepare('VACUUM INTO ?').run(temporary);
    } catch (err) {
      throw asTargetError(err, file);
    }
    fsyncPath(temporary, 'r+');
    try {
      fs.linkSync(temporary, file);
    } catch (err) {
      throw asTargetError(err, file); // EEXIST: someone took the name meanwhile; theirs is kept
    }
    fsyncPath(dir, 'r'); // the new name itself is on disk
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** A leftover untouched this long belongs to a backup that died (a live VACUUM INTO keeps writing it). */
export const DEAD_LEFTOVER_MS = 10 * 60_000;

/**
 * Removes what killed backups to the same name left behind: the hidden `.NAME.<pid>.<hex>.partial`
 * copy and SQLite's journal beside it, once its process is gone (or, should the pid have been reused,
 * once it has not been written for DEAD_LEFTOVER_MS). A backup running now to the same name keeps its own.
 */
function removeDeadLeftovers(dir: string, name: string): void {
  const leftover = new RegExp(`^\\.${escapeRegExp(name)}\\.(\\d+)\\.[0-9a-f]{8}\\.partial(-journal|-wal|-shm)?$`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return; // the folder was just made or checked; an unreadable listing only means nothing is cleaned
  }
  for (const entry of entries) {
    const pid = leftover.exec(entry)?.[1];
    if (pid === undefined) continue;
    const target = path.join(dir, entry);
    try {
      const stat = fs.lstatSync(target);
      if (stat.isFile() && (!isRunning(Number(pid)) || Date.now() - stat.mtimeMs > DEAD_LEFTOVER_MS)) fs.rmSync(target, { force: true });
    } catch {
      // gone meanwhile (its own backup finished) or not ours to remove: either way, nothing to do
    }
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true; // this process's own backup, in another call
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM'; // alive, but another user's
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A bad-path error becomes a BackupTargetError saying what to do; anything else (a failing disk) stays as it is. */
function asTargetError(err: unknown, file: string): unknown {
  if (err instanceof BackupTargetError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !BAD_TARGET.has(code)) return err;
  return new BackupTargetError(`cannot write a backup to ${file} (${(err as Error).message}); choose a writable folder and a short file name`, { cause: err });
}

/** Whether anything is at `file`, a dangling symlink included (existsSync follows links). */
function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return false;
    throw err;
  }
}

/** mkdir -p without looping: each level is created once; a level that still cannot be made throws. */
function makeFolder(dir: string, depth = 0): void {
  try {
    fs.mkdirSync(dir);
    return;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EEXIST') {
      if (!fs.statSync(dir).isDirectory()) throw new BackupTargetError(`${dir} is not a folder`);
      return;
    }
    if (code !== 'ENOENT' || depth > 64) throw err;
  }
  const parent = path.dirname(dir);
  if (parent === dir) throw new BackupTargetError(`cannot create ${dir}`);
  makeFolder(parent, depth + 1);
  fs.mkdirSync(dir); // ENOENT again (e.g. under /proc): thrown, not retried
}

function fsyncPath(target: string, flags: 'r' | 'r+'): void {
  const fd = fs.openSync(target, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
