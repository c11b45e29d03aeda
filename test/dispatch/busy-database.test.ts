import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { RUNNING_BUSY_TIMEOUT_MS } from '../../src/store/busy-retry.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('dispatcher and a database locked by another process', () => {
  it('looks again shortly (not after the 30 s failure pause) and posts once the lock is gone', async () => {
    const clock = createFakeClock();
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file, { busyTimeoutMs: RUNNING_BUSY_TIMEOUT_MS }); // as the bot opens it
    const queue = createArticleQueue(db);
    const channel = createFakeChannel(clock);
    const { log, entries } = createMemoryLogger();
    const dispatcher = createDispatcher({
      queue,
      channel,
      clock,
      log,
      render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
      minGapMs: 0,
      maxAttempts: 3,
      sendTimeoutMs: 30_000,
      confirmDelaysMs: [0],
      isPaused: () => false,
    });
    queue.enqueue({ headline: 'Quake hits Sabah', url: 'https://news.example.com/quake', priority: 'breaking' }, clock.now());

    const other = openDatabase(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      dispatcher.start();
      await dispatcher.idle();
      await settle();
      expect(channel.posted).toEqual([]);
      expect(entries.map((e) => e.msg)).toContain('the database is locked by another process; posting looks again shortly');
      expect(entries.map((e) => e.msg)).not.toContain('posting loop failed; will look again in 30 s');
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    clock.advance(1_000);
    await dispatcher.idle();
    await settle();
    expect(channel.posted.map((p) => p.text.split('\n')[0])).toEqual(['*BREAKING: Quake hits Sabah*']);
    await dispatcher.stop();
    db.close();
  });
});
