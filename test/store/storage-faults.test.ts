import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { backupDatabase } from '../../src/store/backup.js';
import { openDatabase, StoreError } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('integrity check at start', () => {
  it('refuses a damaged database with a message that says how to recover', async () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file);
    const queue = createArticleQueue(db);
    for (let i = 0; i < 400; i += 1) queue.enqueue({ headline: `Story ${i} ${'x'.repeat(150)}`, url: `https://news.example.com/${i}` }, i);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // Scribble over a few pages in the middle of the file.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, 4096 * 5);
    fs.closeSync(fd);
    let error: unknown;
    try {
      openDatabase(file, { checkIntegrity: true }).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/is damaged/);
    expect((error as Error).message).toMatch(/restore the newest backup/);
  });

  it('passes a healthy database', async () => {
    const file = path.join(tempDir(), 'newsdesk.db');
    openDatabase(file).close();
    expect(() => openDatabase(file, { checkIntegrity: true }).close()).not.toThrow();
  });
});

describe('backup command', () => {
  it('writes a consistent, openable copy into <data>/backups and never overwrites', async () => {
    const t = commandSetup();
    await t.core.run('queue Floods | https://news.example.com/floods', ADMIN);
    const result = await t.core.run('backup', ADMIN);
    expect(result.status).toBe('ok');
    const file = result.data.file as string;
    expect(path.dirname(file)).toBe(path.join(t.dataDir, 'backups'));
    expect(path.basename(file)).toMatch(/^newsdesk-\d{8}-\d{6}\.db$/);
    const copy = openDatabase(file);
    expect(createArticleQueue(copy).get(1)?.headline).toBe('Floods');
    copy.close();
    // "Never overwrites" means the first backup's bytes stay as they were, not only the word `invalid`:
    // the database changes, then a second backup to the same name is refused at both layers.
    const first = fs.readFileSync(file);
    await t.core.run('queue Storm | https://news.example.com/storm', ADMIN);
    expect((await t.core.run(`backup ${path.basename(file)}`, ADMIN))).toMatchObject({ status: 'invalid', text: expect.stringMatching(/already exists/) });
    expect(() => backupDatabase(t.db, file)).toThrow(/already exists/);
    expect(fs.readFileSync(file).equals(first)).toBe(true);
    const again = openDatabase(file);
    expect(createArticleQueue(again).get(2)).toBeUndefined();
    again.close();
  });

  it('takes only a plain file name from WhatsApp, any path from the CLI', async () => {
    const t = commandSetup();
    expect((await t.core.run('backup ../../etc/evil.db', ADMIN))).toMatchObject({ status: 'invalid', text: expect.stringMatching(/plain file name/) });
    const target = path.join(tempDir(), 'elsewhere', 'copy.db');
    expect((await t.core.run(`backup ${target}`, { door: 'cli', id: 'cli:ops' }))).toMatchObject({ status: 'ok', data: { file: target } });
    expect(fs.existsSync(target)).toBe(true);
  });
});

describe('a database that cannot be written', () => {
  function setup() {
    const clock = createFakeClock();
    const file = path.join(tempDir(), 'newsdesk.db');
    const db = openDatabase(file);
    const queue = createArticleQueue(db);
    const channel = createFakeChannel(clock);
    const { log, entries } = createMemoryLogger();
    const dispatcher = createDispatcher({
      queue, channel, clock, log, minGapMs: 0, maxAttempts: 3, sendTimeoutMs: 30_000, confirmDelaysMs: [0],
      render: (a) => formatPost(a, { summaryMaxChars: 100, breakingLabel: 'BREAKING' }),
    });
    const run = async (ms = 0) => {
      await settle();
      await clock.advanceAsync(ms, 1000);
      await dispatcher.idle();
      await settle();
    };
    return { clock, db, queue, channel, dispatcher, entries, run };
  }

  it('stops posting with a clear error while the database is read-only, and goes on once it is writable', async () => {
    const t = setup();
    t.queue.enqueue({ headline: 'Quake', url: 'https://news.example.com/quake', priority: 'breaking' }, t.clock.now());
    t.db.pragma('query_only = ON'); // every write now fails with SQLITE_READONLY
    t.dispatcher.start();
    await t.run();
    expect(t.channel.sendCalls).toHaveLength(0); // nothing posted without being recorded
    expect(t.entries.find((e) => e.level === 'error')?.msg).toMatch(/^the database cannot be written \(SQLITE_READONLY\): posting is stopped/);
    t.db.pragma('query_only = OFF');
    await t.run(30_000);
    expect(t.channel.posted).toHaveLength(1);
    expect(t.queue.get(1)?.status).toBe('posted');
  });

  it('does not post twice when recording a confirmed post fails (full disk), and records it once it can', async () => {
    const t = setup();
    t.queue.enqueue({ headline: 'Quake', url: 'https://news.example.com/quake', priority: 'breaking' }, t.clock.now());
    const markPosted = t.queue.markPosted;
    const markFailed = t.queue.markFailed;
    let full = true;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    t.queue.markPosted = (...args) => {
      if (full) throw diskFull();
      return markPosted(...args);
    };
    t.queue.markFailed = (...args) => {
      if (full) throw diskFull();
      return markFailed(...args);
    };
    t.dispatcher.start();
    await t.run();
    expect(t.channel.posted).toHaveLength(1);
    expect(t.queue.get(1)?.status).toBe('posting'); // the send is on the channel; its record is not yet
    full = false;
    await t.run(30_000);
    expect(t.channel.sendCalls).toHaveLength(1);
    expect(t.queue.get(1)?.status).toBe('posted');
    expect(t.queue.deliveriesOf(1).map((d) => d.status)).toEqual(['posted']);
  });
});
