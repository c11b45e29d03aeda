import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './open-database.js';

/**
 * Writes a consistent copy of the live database to `file` with `VACUUM INTO`: a snapshot taken inside
 * one read transaction, so the bot keeps posting while it runs and the copy is compact. The target must
 * not exist (nothing is overwritten); its folder is created.
 */
export function backupDatabase(db: Db, file: string): void {
  if (fs.existsSync(file)) throw new Error(`${file} already exists; choose another name (nothing is overwritten)`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  db.prepare('VACUUM INTO ?').run(file);
}
