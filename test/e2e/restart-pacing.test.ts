import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTail } from '../../src/channel/outbox.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { childEnv, logged, startBot, type RunningBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'e2e-restart-Qm7Xv2Lp9Tz4Wk8Rn3';
// The gap must outlast a restart on a busy machine, so that the second run starts inside it.
const GAP_SECONDS = 15;
const CAP = 2;
const HOUR = 3_600_000;

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Waiting {
  reason: string;
  until: string;
}

/** The running bot's own view of why posting waits (GET /api/status), once it has one. */
async function waitingOf(bot: RunningBot): Promise<Waiting> {
  await bot.waitForLine((l) => typeof l.json?.url === 'string', 30_000);
  const url = String(bot.lines.find((l) => typeof l.json?.url === 'string')?.json?.url);
  return waitFor(
    async () => {
      const response = await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await response.json()) as { waiting: Waiting | null };
      return body.waiting ?? undefined;
    },
    20_000,
    'the bot reports why posting waits',
  );
}

async function stop(bot: RunningBot): Promise<void> {
  bot.child.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
}

describe('pacing across restarts of the built bot (dry run)', () => {
  it(`keeps a ${GAP_SECONDS} s gap and a cap of ${CAP} an hour when the bot is restarted between posts`, async () => {
    const dataDir = tempDir();
    const outbox = path.join(dataDir, 'outbox.jsonl');
    const env = childEnv({
      NEWSDESK_DATA_DIR: dataDir,
      NEWSDESK_MIN_GAP_SECONDS: String(GAP_SECONDS),
      NEWSDESK_MAX_POSTS_PER_HOUR: String(CAP),
      NEWSDESK_JITTER_SECONDS: '0',
      NEWSDESK_API_TOKEN: TOKEN,
    });
    const db = openDatabase(path.join(dataDir, 'newsdesk.db'));
    const queue = createArticleQueue(db);
    for (const n of [1, 2, 3]) {
      queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking', source: 'test' }, Date.now());
    }
    db.close();

    // First run: one post, then a restart well inside the gap.
    const first = startBot(['--dry-run'], env);
    await waitFor(() => (readTail(outbox).length >= 1 ? true : undefined), 20_000, 'the first post');
    await stop(first);
    expect(readTail(outbox)).toHaveLength(1);

    // Second run: it waits for the gap counted from the first run's post, posts, and then the cap (the
    // first run's post and this one) holds the third article for the rest of the hour.
    const second = startBot(['--dry-run'], env);
    const atStart = await waitingOf(second);
    await waitFor(() => (readTail(outbox).length >= 2 ? true : undefined), 40_000, 'the second post');
    const afterSecond = await waitingOf(second);
    await stop(second);

    // Third run, right after the second post: still capped; nothing goes out.
    const third = startBot(['--dry-run'], env);
    await third.waitForLine(logged('newsdesk started'));
    const afterThird = await waitingOf(third);
    await stop(third);

    const lines = readTail(outbox);
    const check = openDatabase(path.join(dataDir, 'newsdesk.db'));
    const q = createArticleQueue(check);
    const starts = [1, 2, 3].flatMap((id) => q.deliveriesOf(id).map((d) => d.startedAt));
    const third3 = q.get(3);
    check.close();

    // The gap held across the restart: the second run started inside it and said so, and its post
    // (outbox timestamp) came at least the gap after the first run's attempt started.
    expect(atStart).toMatchObject({ reason: 'minimum gap between posts', until: new Date(starts[0]! + GAP_SECONDS * 1000).toISOString() });
    expect(lines.map((l) => l.articleId)).toEqual([1, 2]);
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(GAP_SECONDS * 1000);
    expect(Date.parse(lines[1]!.postedAt) - starts[0]!).toBeGreaterThanOrEqual(GAP_SECONDS * 1000);
    // The cap held across both restarts: each run counted the posts of the runs before it.
    const capEnd = new Date(starts[0]! + HOUR).toISOString();
    expect(afterSecond).toMatchObject({ reason: `hourly cap of ${CAP} posts reached`, until: capEnd });
    expect(afterThird).toMatchObject({ reason: `hourly cap of ${CAP} posts reached`, until: capEnd });
    expect(third3?.status).toBe('queued');
  }, 120_000);
});
