import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNNING_BUSY_TIMEOUT_MS } from '../../src/store/busy-retry.js';
import { openDatabase } from '../../src/store/open-database.js';
import { article, httpSetup } from './http-setup.js';

/** Resolves once `probe` holds, polling on real timers; rejects after `ms` (a generous bound, not a timing). */
async function until(probe: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a database locked by another connection never freezes the bot', () => {
  it('/healthz answers while the lock is held and a POST waits for it without blocking, then completes once it is released', async () => {
    const t = await httpSetup();
    t.db.pragma(`busy_timeout = ${RUNNING_BUSY_TIMEOUT_MS}`); // as the bot opens it (app.ts)
    const other = openDatabase(path.join(t.dataDir, 'newsdesk.db')); // as the CLI or a sqlite3 shell would
    other.exec('BEGIN IMMEDIATE'); // holds the write lock
    try {
      let done = false;
      const post = t.post(article(1)).then((res) => {
        done = true;
        return res;
      });
      // The POST has met the lock (and is waiting asynchronously).
      await until(() => t.entries.some((e) => e.msg.startsWith('database locked by another process')));

      const health = await t.request('/healthz');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      const ready = await t.request('/readyz');
      expect(ready.status).toBe(200);
      // Both answered while the lock was still held and the POST still waited.
      expect(other.inTransaction).toBe(true);
      expect(done).toBe(false);

      other.exec('COMMIT');
      const res = await post;
      expect(res.status).toBe(201);
      expect(t.ctx.queue.get(res.body.article.id)?.status).toBe('queued');
      expect(t.auditRows().at(-1)).toMatchObject({ door: 'api', outcome: 'ok' });
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });
});
