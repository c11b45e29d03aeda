import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTail, type OutboxLine } from '../../src/channel/outbox.js';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The newsroom's image server: a real image and a web page that calls itself a JPEG. */
let server: http.Server;
let base: string;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/photo.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!doctype html><p>an error page</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('image posts and corrections in the dry run (the built bot, the CLI, real SQLite, the outbox)', () => {
  it('posts an image with its caption, falls back to text for bytes that are not an image, and corrects by edit and by follow-up', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_MIN_GAP_SECONDS: '0' });
    const outbox = path.join(dataDir, 'outbox.jsonl');
    const bot = startBot(['--dry-run'], env);
    try {
      await bot.waitForLine(logged('newsdesk started'));

      // An image post: the outbox line carries the image's URL; the text is its caption.
      const queued = await runCli(['--json', 'breaking', `image=${base}/photo.png`, 'Quake hits Sabah | Magnitude 6.1 | https://news.example.com/quake'], env);
      expect(queued.code, queued.stderr).toBe(0);
      const first = (JSON.parse(queued.stdout) as { article: { id: number; imageUrl: string } }).article;
      expect(first.imageUrl).toBe(`${base}/photo.png`);
      const imageLine = await waitFor(() => readTail(outbox).find((l) => l.articleId === first.id), 10_000);
      expect(imageLine).toMatchObject({ channel: 'main', image: `${base}/photo.png`, text: '*🔴 BREAKING: Quake hits Sabah*\n\nMagnitude 6.1\n\nhttps://news.example.com/quake' });

      // A "JPEG" that is a web page: posted as text, and the delivery says why.
      const page = await runCli(['--json', 'breaking', 'Floods rise | Thousands moved | https://news.example.com/floods', `image=${base}/error.jpg`], env);
      expect(page.code, page.stderr).toBe(0);
      const second = (JSON.parse(page.stdout) as { article: { id: number } }).article;
      const textLine = await waitFor(() => readTail(outbox).find((l) => l.articleId === second.id), 10_000);
      expect(textLine.image).toBeUndefined();
      const show = await runCli(['--json', 'show', String(second.id)], env);
      const deliveries = (JSON.parse(show.stdout) as { deliveries: { status: string; detail: string | null }[] }).deliveries;
      expect(deliveries.find((d) => d.status === 'posted')?.detail).toMatch(/^image fallback: the image could not be used \(not-an-image: /);

      // A correction inside the edit window edits the post: an outbox line with editOf.
      const edit = await runCli(['--json', 'correct', String(first.id), 'Quake hits Sabah | Magnitude 5.9, revised | https://news.example.com/quake'], env);
      expect(edit.code, edit.stderr).toBe(0);
      const editReply = JSON.parse(edit.stdout) as { version: number; corrections: { status: string; method: string; messageId: string }[] };
      expect(editReply).toMatchObject({ version: 2, corrections: [{ status: 'edited', method: 'edit', messageId: imageLine.messageId }] });
      const editLine = readTail(outbox).find((l) => l.editOf === imageLine.messageId);
      expect(editLine).toMatchObject({ articleId: first.id, text: '*🔴 BREAKING: Quake hits Sabah*\n\nMagnitude 5.9, revised\n\nhttps://news.example.com/quake' });
      const human = await runCli(['correct', String(first.id), 'Quake hits Sabah | Magnitude 5.8 | https://news.example.com/quake'], env);
      expect(human.stdout).toMatch(/corrected \(version 3\): the post was edited/);

      // The channel no longer has the second post (the outbox was emptied, as WhatsApp would no longer
      // find an old message): the correction is posted as a follow-up quoting the headline readers saw.
      fs.writeFileSync(outbox, '');
      const follow = await runCli(['correct', String(second.id), 'Floods rise in Kelantan | Thousands moved | https://news.example.com/floods'], env);
      expect(follow.code, follow.stderr).toBe(0);
      expect(follow.stdout).toMatch(/WhatsApp would not edit the post \(the message was not found on the channel\), so a follow-up "✏️ Correction" was posted/);
      const lines: OutboxLine[] = readTail(outbox);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.text).toBe('✏️ Correction: “Floods rise”\n\n*🔴 BREAKING: Floods rise in Kelantan*\n\nThousands moved\n\nhttps://news.example.com/floods');
      expect(lines[0]!.editOf).toBeUndefined();

      // show lists every version and what each correction did.
      const history = await runCli(['show', String(first.id)], env);
      expect(history.stdout).toMatch(/versions:\n {2}v1 .* original · Quake hits Sabah \| Magnitude 6\.1 \|/);
      expect(history.stdout).toMatch(/v2 .*Magnitude 5\.9, revised/);
      expect(history.stdout).toMatch(/correction #\d+: edited /);
      const data = JSON.parse((await runCli(['--json', 'show', String(second.id)], env)).stdout) as { versions: unknown[]; corrections: { method: string }[] };
      expect(data.versions).toHaveLength(2);
      expect(data.corrections).toMatchObject([{ method: 'follow-up' }]);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  }, 60_000);

  it('refuses to correct an article that is not posted, and a bad id', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir });
    const queued = await runCli(['--json', 'queue', 'Budget explained | https://news.example.com/budget'], env);
    const id = (JSON.parse(queued.stdout) as { article: { id: number } }).article.id;
    const refused = await runCli(['correct', String(id), 'Budget 2027 explained | https://news.example.com/budget'], env);
    expect(refused.code).toBe(2);
    expect(refused.stdout + refused.stderr).toMatch(/is queued, not posted: only a posted article can be corrected/);
    const bad = await runCli(['correct', 'abc', 'x | https://news.example.com/x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).toMatch(/needs an article id/);
  }, 30_000);
});
