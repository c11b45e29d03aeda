import type { Db } from './open-database.js';

/**
 * Small shared state in the database, so every process (the bot, the CLI) sees the same thing:
 * whether posting is paused, and the running bot's last reported status.
 */
export function createSettings(db: Db) {
  const get = db.prepare<[string], { value: string; updated_at: number }>(`SELECT value, updated_at FROM settings WHERE key = ?`);
  const put = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (@key, @value, @now)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    /** The value stored under `key` with when it was written, or undefined. */
    read(key: string): { value: string; updatedAt: number } | undefined {
      const row = get.get(key);
      return row ? { value: row.value, updatedAt: row.updated_at } : undefined;
    },
    write(key: string, value: string, now: number): void {
      put.run({ key, value, now });
    },
    isPaused(): boolean {
      return get.get('paused')?.value === 'true';
    },
    setPaused(paused: boolean, now: number): void {
      put.run({ key: 'paused', value: String(paused), now });
    },
  };
}

export type Settings = ReturnType<typeof createSettings>;
