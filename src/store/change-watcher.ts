import type { Db } from './open-database.js';

/**
 * Calls `onChange` when another connection (the CLI, another process) commits to the database.
 * SQLite bumps `PRAGMA data_version` for exactly that; polling it costs a few microseconds.
 */
export function watchForOtherWriters(db: Db, intervalMs: number, onChange: () => void): () => void {
  let last = db.pragma('data_version', { simple: true });
  const handle = setInterval(() => {
    if (!db.open) return;
    const now = db.pragma('data_version', { simple: true });
    if (now !== last) {
      last = now;
      onChange();
    }
  }, intervalMs);
  handle.unref();
  return () => clearInterval(handle);
}
