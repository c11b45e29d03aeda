import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTail } from '../../src/channel/outbox.js';
import { startFeedServer } from '../feeds/support/feed-server.js';
import { item, rss } from '../feeds/support/feed-setup.js';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface FeedJson {
  id: number;
  url: string;
  health: string;
  lastSuccessAt: number | null;
  lastError: string | null;
}

describe('feeds in the running bot (built bot and CLI as child processes, feeds over local HTTP)', () => {
  it('seeds feeds from NEWSDESK_FEEDS without flooding, posts a new story once, and keeps running with a broken feed', async () => {
    const server = await startFeedServer();
    const good = server.serve('/news.rss', { body: rss([1, 2, 3].map((n) => item(n))) });
    const broken = server.serve('/broken.rss', { body: '<html><body>Not a feed</body></html>', contentType: 'text/html' });
    const dataDir = tempDir();
    const env = childEnv({
      NEWSDESK_DATA_DIR: dataDir,
      NEWSDESK_FEEDS: `${good},${broken}`,
      NEWSDESK_SCHEDULE: '* * * * * *',
      NEWSDESK_MIN_GAP_SECONDS: '0',
    });
    const bot = startBot(['--dry-run'], env);
    await bot.waitForLine(logged('newsdesk started'));

    const feeds = await until(async () => {
      const out = await runCli(['--json', 'feeds'], env);
      const list = (JSON.parse(out.stdout) as { feeds: FeedJson[] }).feeds;
      return list.length === 2 && list.every((f) => f.health !== 'new') ? list : undefined;
    }, 15_000);
    expect(feeds.find((f) => f.url === good)).toMatchObject({ health: 'ok' });
    expect(feeds.find((f) => f.url === broken)).toMatchObject({ health: 'failing', lastError: expect.stringMatching(/HTML|not a feed/i) });

    const outbox = path.join(dataDir, 'outbox.jsonl');
    expect(readTail(outbox)).toEqual([]); // the first poll only marks the current stories seen

    server.serve('/news.rss', { body: rss([1, 2, 3, 4].map((n) => item(n))) });
    const goodId = feeds.find((f) => f.url === good)!.id;
    const polled = await runCli(['--json', 'feed', 'poll', String(goodId)], env);
    expect(polled.code).toBe(0);
    expect(JSON.parse(polled.stdout)).toMatchObject({ poll: { status: 'polled', queued: [expect.objectContaining({ headline: 'Story number 4' })] } });

    const posted = await until(() => readTail(outbox).find((l) => l.text.includes('Story number 4')), 15_000);
    expect(posted.text).toMatch(/^\*Story number 4\*\n\nSummary of story 4\.\n\nhttps:\/\/news\.example\.com\/2026\/story-4$/);
    // Polling again finds nothing new; the story is posted once.
    await runCli(['feed', 'poll', String(goodId)], env);
    await new Promise((r) => setTimeout(r, 1500));
    expect(readTail(outbox).filter((l) => l.text.includes('Story number'))).toHaveLength(1);

    expect(bot.child.exitCode).toBeNull(); // still running
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 60_000);
});
