import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/store/open-database.js';
import { withTempDir } from './support.js';

export type Environment = Record<string, string | number>;

/**
 * What the figures depend on, so runs on different machines can be compared. The SQLite facts come
 * from a database opened the way Newsdesk opens it, so they show the pragmas actually in force.
 */
export async function describeEnvironment(): Promise<Environment> {
  const sqlite = await withTempDir(async (dir) => {
    const db = openDatabase(path.join(dir, 'probe.db'));
    try {
      const { version } = db.prepare<[], { version: string }>('SELECT sqlite_version() AS version').get()!;
      return {
        version,
        journalMode: String(db.pragma('journal_mode', { simple: true })),
        synchronous: Number(db.pragma('synchronous', { simple: true })),
      };
    } finally {
      db.close();
    }
  });
  const require = createRequire(import.meta.url);
  const driver = (require('better-sqlite3/package.json') as { version: string }).version;
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvg1m: Number(os.loadavg()[0]!.toFixed(2)),
    sqlite: sqlite.version,
    betterSqlite3: driver,
    // 2 = FULL: every commit waits for the disk.
    pragmas: `journal_mode=${sqlite.journalMode} synchronous=${sqlite.synchronous}`,
    tmpdir: os.tmpdir(),
  };
}
