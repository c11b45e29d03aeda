import { describe, expect, it } from 'vitest';
import { createChannelsStore } from '../../src/store/channels-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import path from 'node:path';
import { readTail } from '../../src/channel/outbox.js';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const SPORT = 'https://whatsapp.com/channel/0029VaSport000000000000';

describe('channel commands from the CLI (dist/cli.js as a child process)', () => {
  it('adds, lists (text and --json), pauses and removes channels, exit 2 with the problem on bad input', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_CHANNEL: '120363000000000001@newsletter', NEWSDESK_MIN_GAP_SECONDS: '60' });

    const added = await runCli(['channel', 'add', SPORT, 'name=sport', 'categories=Sport', 'cap=5/h', 'digest=08:00', 'mode=instead'], env);
    expect(added).toMatchObject({ code: 0, stdout: `Channel sport added:\nsport · ${SPORT} · categories Sport · gap 1m (default) · 5/h · no quiet hours (default) · digest 08:00 top 5 instead\n` });

    const list = await runCli(['--json', 'channel', 'list'], env);
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as { channels: { name: string; target: string; isDefault: boolean; pacing: { minGapMs: number } }[] };
    expect(parsed.channels.map((c) => [c.name, c.target, c.isDefault, c.pacing.minGapMs])).toEqual([
      ['main', '120363000000000001@newsletter', true, 60_000],
      ['sport', SPORT, false, 60_000],
    ]);

    const bad = await runCli(['channel', 'add', 'https://whatsapp.com/channel/x', 'name=news', 'feeds=7'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a whole channel invite link/);
    const unknownFeed = await runCli(['channel', 'add', '120363000000000002@newsletter', 'name=news', 'feeds=7'], env);
    expect(unknownFeed.code).toBe(2);
    expect(unknownFeed.stderr).toMatch(/there is no feed #7; "feeds" lists the ids/);

    expect((await runCli(['channel', 'pause', 'sport'], env)).code).toBe(0);
    // What the bot reads: the same file, another connection.
    const db = openDatabase(path.join(dataDir, 'newsdesk.db'));
    try {
      const store = createChannelsStore(db, { name: 'main', target: 'x', minGapMs: 60_000, maxPerHour: 20, quietHours: null });
      expect(store.get('sport')).toMatchObject({ paused: true, digest: { times: ['08:00'], mode: 'instead' } });
    } finally {
      db.close();
    }
    expect(await runCli(['channel', 'remove', 'sport'], env)).toMatchObject({ code: 0, stdout: 'Channel sport removed. What it posted stays in the log.\n' });
    expect((await runCli(['channel', 'remove', 'main'], env)).code).toBe(2);
  });

  it('a channel the CLI adds while the bot runs is posted to at once, without a restart', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_MIN_GAP_SECONDS: '0' });
    const bot = startBot(['--dry-run'], env);
    try {
      await bot.waitForLine(logged('newsdesk started'));
      expect((await runCli(['channel', 'add', SPORT, 'name=sport'], env)).code).toBe(0);
      const queued = await runCli(['--json', 'breaking', 'channel=sport', 'Late winner | https://news.example.com/winner'], env);
      expect(queued.code).toBe(0);
      const { article } = JSON.parse(queued.stdout) as { article: { id: number } };
      const outbox = path.join(dataDir, 'outbox.jsonl');
      const deadline = Date.now() + 15_000;
      let line = readTail(outbox).find((l) => l.articleId === article.id);
      while (!line && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        line = readTail(outbox).find((l) => l.articleId === article.id);
      }
      expect(line).toMatchObject({ channel: 'sport' });
    } finally {
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
  });
});
