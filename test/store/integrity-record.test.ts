import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { noteCheckedClean, openDatabase, StoreError } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

/** How many full integrity checks the opens inside `run` made. */
function integrityChecks(run: () => void): number {
  const pragma = vi.spyOn(Database.prototype, 'pragma');
  try {
    run();
    return pragma.mock.calls.filter(([source]) => String(source).startsWith('integrity_check')).length;
  } finally {
    pragma.mockRestore();
  }
}

function seeded(): string {
  const file = path.join(tempDir(), 'newsdesk.db');
  const db = openDatabase(file);
  const queue = createArticleQueue(db);
  for (let i = 0; i < 400; i += 1) queue.enqueue({ headline: `Story ${i} ${'x'.repeat(150)}`, url: `https://news.example.com/${i}` }, i);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

describe("the CLI's integrity check runs when the file changed since it was last found clean", () => {
  afterEach(() => vi.restoreAllMocks());

  it('checks the first time, not again while the file is the same, and again once it changed', () => {
    const file = seeded();
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: 'when-changed' }).close())).toBe(1);
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: 'when-changed' }).close())).toBe(0);

    const db = openDatabase(file);
    createArticleQueue(db).enqueue({ headline: 'One more', url: 'https://news.example.com/more' }, 1);
    db.pragma('wal_checkpoint(TRUNCATE)'); // the main file changes
    db.close();
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: 'when-changed' }).close())).toBe(1);
  });

  it('refuses a file damaged after its last clean check', () => {
    const file = seeded();
    openDatabase(file, { checkIntegrity: 'when-changed' }).close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, 4096 * 5);
    fs.closeSync(fd);
    expect(() => openDatabase(file, { checkIntegrity: 'when-changed' })).toThrow(StoreError);
    expect(() => openDatabase(file, { checkIntegrity: 'when-changed' })).toThrow(/is damaged/); // and keeps refusing
  });

  it('the bot (checkIntegrity: true) checks at every start, and a record of our own writes spares the next CLI call', () => {
    const file = seeded();
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: true }).close())).toBe(1);
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: true }).close())).toBe(1);
    const db = openDatabase(file, { checkIntegrity: 'when-changed' });
    createArticleQueue(db).enqueue({ headline: 'From the CLI', url: 'https://news.example.com/cli' }, 1);
    db.close(); // the last connection: SQLite checkpoints into the main file
    noteCheckedClean(file);
    expect(integrityChecks(() => openDatabase(file, { checkIntegrity: 'when-changed' }).close())).toBe(0);
  });
});
