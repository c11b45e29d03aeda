import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readTail } from '../../src/channel/outbox.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { verifySignature } from '../../src/webhooks/sign.js';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'e2e-webhook-secret-0123456789abcdef';

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('templates, tracked links and webhooks in the built bot (dry run, CLI from another process)', () => {
  it('posts with the channel template and tracked link, writes the channel name in the outbox, and sends a signed webhook', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    let first = true;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(first ? 500 : 204).end(); // the first try fails: it is retried
        first = false;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const dataDir = path.join(tempDir(), 'data');
    const env = childEnv({
      NEWSDESK_DATA_DIR: dataDir,
      NEWSDESK_MIN_GAP_SECONDS: '0',
      NEWSDESK_CHANNEL_NAME: 'sport',
      NEWSDESK_WEBHOOKS: hook,
      NEWSDESK_WEBHOOK_SECRET: SECRET,
    });

    // Bad input from the CLI: exit 2, nothing written.
    const bad = await runCli(['template', 'set', 'sport', '*{{headline}} {{link}}'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toMatch(/"\*" opened at line 1, column 1 is never closed/);

    expect((await runCli(['template', 'set', 'sport', '⚽ *{{headline}}*\n{{link}}'], env)).code).toBe(0);
    expect((await runCli(['links', 'sport', 'on'], env)).code).toBe(0);

    const bot = startBot(['--dry-run'], env);
    await bot.waitForLine(logged('newsdesk started'));
    const queued = await runCli(['--json', 'breaking', 'Malaysia win the final | 2-1 after extra time | https://news.example.com/final?ref=home'], env);
    expect(queued.code).toBe(0);
    const articleId = (JSON.parse(queued.stdout) as { article: { id: number } }).article.id;

    const outbox = path.join(dataDir, 'outbox.jsonl');
    const line = await waitFor(() => readTail(outbox).find((l) => l.articleId === articleId), 'the post in the outbox');
    expect(line).toMatchObject({
      channel: 'sport',
      articleId,
      text: '⚽ *🔴 BREAKING: Malaysia win the final*\nhttps://news.example.com/final?ref=home&utm_source=whatsapp&utm_medium=channel&utm_campaign=sport',
    });
    expect(Object.keys(line).sort()).toEqual(['articleId', 'channel', 'messageId', 'postedAt', 'text']);

    // The first POST gets a 500; the retry (30 s later) is not waited for here: the delivery log says so.
    await waitFor(() => received[0], 'the first webhook POST');
    const [hookCall] = received;
    expect(verifySignature(SECRET, hookCall!.body, hookCall!.headers['x-newsdesk-signature'] as string)).toBe(true);
    expect(JSON.parse(hookCall!.body)).toMatchObject({
      event: 'posted',
      channel: { name: 'sport' },
      article: { id: articleId, headline: 'Malaysia win the final', url: 'https://news.example.com/final?ref=home', status: 'posted' },
      messageId: line.messageId,
    });
    const db = openDatabase(path.join(dataDir, 'newsdesk.db'));
    onTestFinished(() => void db.close());
    await waitFor(() => (createWebhookStore(db).recent(1)[0]?.attempts === 1 ? true : undefined), 'the failed try recorded');
    const webhooks = await runCli(['webhooks'], env);
    expect(webhooks.stdout).toMatch(/posted #\d+ on sport → 127\.0\.0\.1:\d+\/hook: retrying at .* after 1 try: the receiver answered HTTP 500/);
    // The stored link is the one queued: tracking changed only the post.
    expect(createArticleQueue(db).get(articleId)!.url).toBe('https://news.example.com/final?ref=home');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  }, 90_000);
});
