import path from 'node:path';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from './temp-dir.js';

/**
 * What a dispatcher test starts from: a fake clock, a fresh SQLite file and its queue, the fake channel
 * (with `channelOptions`), and a logger that keeps its entries. Call it inside a test.
 */
export function dispatchParts(channelOptions?: Parameters<typeof createFakeChannel>[1]) {
  const clock = createFakeClock();
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  const queue = createArticleQueue(db);
  const channel = createFakeChannel(clock, channelOptions);
  const { log, entries } = createMemoryLogger();
  return { clock, db, queue, channel, log, entries };
}
