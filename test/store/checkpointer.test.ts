import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../src/store/checkpointer.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const open: { db: Db; checkpointer: Checkpointer | null }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.checkpointer?.stop();
    if (o.db.open) o.db.close();
  }
});

function setUp(intervalMs = 20) {
  const file = path.join(tempDir(), 'newsdesk.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)');
  const failures: string[] = [];
  const checkpointer = startCheckpointer(db, file, { intervalMs, onFailure: (reason) => failures.push(reason) });
  open.push({ db, checkpointer });
  return { file, db, checkpointer, failures };
}

/** Commits `count` transactions of about 40 pages each (random-looking text, so nothing compresses). */
function write(db: Db, count: number): void {
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let t = 0; t < count; t += 1) db.transaction(() => { for (let i = 0; i < 40; i += 1) insert.run(`${t}-${i}-`.padEnd(4000, String(t * 40 + i))); })();
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('checkpoints in a worker thread', () => {
  it('turns off checkpoints inside commits and copies the WAL back from the worker', async () => {
    const { db, checkpointer, failures } = setUp();
    // SQLite's own checkpoints stop once the worker's connection is open.
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 0);
    // 3,000+ pages: SQLite's own rule (1,000) would have checkpointed inside these commits.
    write(db, 80);
    await until(() => checkpointer.stats().pagesCopied >= 3_000);
    expect(checkpointer.stats().checkpoints).toBeGreaterThan(0);
    // Everything the worker copied is in the database file: a PASSIVE checkpoint from here finds it all done.
    await until(() => {
      const [state] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
      return state!.log === state!.checkpointed;
    });
    expect(failures).toEqual([]);
  });

  it('closes its connection on stop, so the last close removes the WAL file', async () => {
    const { file, db, checkpointer } = setUp();
    write(db, 5);
    await checkpointer.stop();
    db.close();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(checkpointer.stats().failed).toBeNull();
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 200 });
    again.close();
  });

  it('with a delay, keeps SQLite\'s own checkpoints until the worker starts, and stops cleanly before it does', async () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file);
    const checkpointer = startCheckpointer(db, file, { delayMs: 60_000 });
    open.push({ db, checkpointer });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    expect(checkpointer.stats()).toEqual({ checkpoints: 0, pagesCopied: 0, failed: null });
  });

  it('hands checkpoints back to SQLite when the worker cannot run, and says why', async () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file);
    const failures: string[] = [];
    // The worker opens a file that is not there (fileMustExist): it fails at start.
    const checkpointer = startCheckpointer(db, `${file}.missing`, { intervalMs: 20, onFailure: (reason) => failures.push(reason) });
    open.push({ db, checkpointer });
    await until(() => failures.length > 0);
    expect(failures[0]).toMatch(/unable to open|does not exist|missing/i);
    expect(checkpointer.stats().failed).toBe(failures[0]);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpointer.stop();
    expect(failures).toHaveLength(1);
  });
});
