import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { readTail } from '../../src/channel/outbox.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createChannelsStore } from '../../src/store/channels-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { childEnv, logged, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const ZONE = 'Asia/Kuala_Lumpur';

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('digest in the built bot (dry run, real child processes)', () => {
  it('posts a slot missed while the bot was down once, as one outbox line on its channel, and not again after a restart', async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'newsdesk.db');
    const now = Date.now();
    // A digest time two minutes ago (local), set yesterday: that slot is due and was missed.
    const slotTime = DateTime.fromMillis(now - 120_000, { zone: ZONE }).toFormat('HH:mm');
    const db = openDatabase(file);
    const channels = createChannelsStore(db, { name: 'main', target: 'outbox', minGapMs: 0, maxPerHour: 0, quietHours: null });
    channels.add({ name: 'sport', target: '120363000000000777@newsletter' }, now - 86_400_000, 'test');
    channels.update('sport', { digest: { times: [slotTime], top: 5, mode: 'besides' } }, now - 86_400_000, 'test');
    const queue = createArticleQueue(db);
    queue.enqueue({ headline: 'Derby ends level', url: 'https://news.example.com/derby', source: 'test' }, now - 3_600_000, { channels: ['sport'] });
    queue.enqueue({ headline: 'Coach resigns', url: 'https://news.example.com/coach', priority: 'breaking', source: 'test' }, now - 1_800_000, { channels: ['sport'] });
    db.close();

    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_MIN_GAP_SECONDS: '0', NEWSDESK_TIMEZONE: ZONE, NEWSDESK_SCHEDULE: '* * * * * *' });
    const outbox = path.join(dataDir, 'outbox.jsonl');
    const bot = startBot(['--dry-run'], env);
    await bot.waitForLine(logged('newsdesk started'));
    const line = await waitFor(() => readTail(outbox).find((l) => l.text.startsWith('🗞️')), 15_000);
    expect(line).toMatchObject({
      channel: 'sport',
      text: `🗞️ *Top stories · ${slotTime}*\n\n1. 🔴 BREAKING Coach resigns\nhttps://news.example.com/coach\n\n2. Derby ends level\nhttps://news.example.com/derby`,
    });
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);

    // Restarted: the start-up look finds the slot done.
    const again = startBot(['--dry-run'], env);
    await again.waitForLine(logged('newsdesk started'));
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    const check = openDatabase(file);
    try {
      expect(check.prepare(`SELECT count(*) FROM digests WHERE channel = 'sport'`).pluck().get()).toBe(1);
      expect(check.prepare(`SELECT count(*) FROM articles WHERE source = 'digest:sport'`).pluck().get()).toBe(1);
    } finally {
      check.close();
    }
    expect(readTail(outbox).filter((l) => l.text.startsWith('🗞️'))).toHaveLength(1);
  });
});
