import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createCommitGroup } from '../../src/store/commit-group.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

function setup() {
  const file = path.join(tempDir(), 'newsdesk.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
  onTestFinished(() => void db.close());
  const values = () => db.prepare<[], { v: string }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v);
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;
  return { db, file, values, insert };
}

describe('commit group', () => {
  it('commits writes handed in together in one transaction, and resolves each once committed', async () => {
    const { db, file, values, insert } = setup();
    const reader = openDatabase(file);
    onTestFinished(() => void reader.close());
    const committed = () => reader.prepare<[], { v: string }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v);
    const group = createCommitGroup(db, { minWindowMs: 1, maxWindowMs: 1 });
    let seenByOthersDuringB: string[] | null = null;
    const results = await Promise.all([
      group.run(insert('a')),
      group.run(() => {
        seenByOthersDuringB = committed(); // 'a' is written but not committed: same transaction
        return insert('b')();
      }),
      group.run(insert('c')),
    ]);
    expect(seenByOthersDuringB).toEqual([]);
    expect(results).toEqual([1, 1, 1]);
    expect(values()).toEqual(['a', 'b', 'c']);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back only the write that throws; the others of its group commit', async () => {
    const { values, insert, db } = setup();
    const group = createCommitGroup(db);
    const partial = () => {
      db.prepare('INSERT INTO t (v) VALUES (?)').run('half');
      throw new Error('failed midway');
    };
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(partial), group.run(insert('a')), group.run(insert('b'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('failed midway');
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain('UNIQUE');
    expect(values()).toEqual(['a', 'b']);
  });

  it('rejects every write of a group whose transaction cannot be opened, writing none', async () => {
    const { file, values, insert, db } = setup();
    db.pragma('busy_timeout = 0');
    const other = openDatabase(file);
    onTestFinished(() => void other.close());
    other.exec('BEGIN IMMEDIATE');
    const group = createCommitGroup(db);
    const outcomes = await Promise.allSettled([group.run(insert('a')), group.run(insert('b'))]);
    other.exec('ROLLBACK');
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(values()).toEqual([]);
  });

  it('commits a full group at once, without waiting for its window', async () => {
    const { values, insert, db } = setup();
    const group = createCommitGroup(db, { minWindowMs: 60_000, maxWindowMs: 60_000, maxWrites: 2 });
    await Promise.all([group.run(insert('a')), group.run(insert('b'))]);
    expect(values()).toEqual(['a', 'b']);
  });

  it('commits at once when every writer there is waits in the group', async () => {
    const { values, insert, db } = setup();
    const group = createCommitGroup(db, { minWindowMs: 60_000, maxWindowMs: 60_000, writers: () => 2 });
    await Promise.all([group.run(insert('a')), group.run(insert('b'))]);
    expect(values()).toEqual(['a', 'b']);
  });
});
