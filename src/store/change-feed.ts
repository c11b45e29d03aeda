import type { Db } from './open-database.js';

/**
 * Tells subscribers when anything was committed to the database: by another process (the CLI),
 * which SQLite reports through `PRAGMA data_version`, or by this connection itself (the posting loop,
 * the API, feeds), which `total_changes()` counts. Both cost microseconds to read; they are read only
 * while someone listens (an open desk page).
 */
export function createChangeFeed(db: Db, intervalMs = 100) {
  const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  const listeners = new Set<() => void>();
  let handle: NodeJS.Timeout | null = null;
  let last = '';

  const mark = () => `${String(db.pragma('data_version', { simple: true }))}:${totalChanges.get()}`;
  const tick = () => {
    if (!db.open) return;
    const now = mark();
    if (now === last) return;
    last = now;
    for (const listener of [...listeners]) listener();
  };

  return {
    /** Calls `listener` after each change; returns the unsubscribe. */
    subscribe(listener: () => void): () => void {
      if (listeners.size === 0 && db.open) {
        last = mark();
        handle = setInterval(tick, intervalMs);
        handle.unref();
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && handle) {
          clearInterval(handle);
          handle = null;
        }
      };
    },
    /** Stops watching (at shutdown). */
    stop(): void {
      listeners.clear();
      if (handle) clearInterval(handle);
      handle = null;
    },
  };
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>;
