import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, DEAD_LEFTOVER_MS } from '../../src/store/backup.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A pid that is not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

describe('backup: what a killed backup left behind', () => {
  let db: Db | undefined;
  afterEach(() => db?.close());

  it('removes the hidden copy and journal of a dead backup to the same name, and keeps a live one and other names', () => {
    const dir = tempDir();
    db = openDatabase(path.join(dir, 'newsdesk.db'));
    const target = path.join(dir, 'backups');
    fs.mkdirSync(target);
    const dead = deadPid();
    const deadCopy = `.copy.db.${dead}.0123abcd.partial`;
    const deadJournal = `${deadCopy}-journal`;
    const liveCopy = `.copy.db.${process.ppid}.89abcdef.partial`; // our parent is alive, and recently written
    const otherName = `.other.db.${dead}.0123abcd.partial`;
    const stalePidReused = `.copy.db.${process.ppid}.fedcba98.partial`;
    for (const file of [deadCopy, deadJournal, liveCopy, otherName, stalePidReused]) fs.writeFileSync(path.join(target, file), 'half a copy');
    const old = new Date(Date.now() - DEAD_LEFTOVER_MS - 60_000);
    fs.utimesSync(path.join(target, stalePidReused), old, old);

    backupDatabase(db, path.join(target, 'copy.db'));

    expect(fs.readdirSync(target).sort()).toEqual([liveCopy, otherName, 'copy.db'].sort());
  });
});
