import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { signBody, verifySignature } from '../../src/webhooks/sign.js';
import { createWebhookSender, recordMissedEvents, webhookBackoffMs, webhookEvents, type WebhookSenderOptions } from '../../src/webhooks/webhook-sender.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'webhook-secret-for-tests-0123456789';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on a free loopback port; `answer` decides each response (a status, or 'hang'). */
async function startReceiver(answer: (n: number) => number | 'hang' = () => 204) {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const what = answer(received.length);
      if (what === 'hang') hanging.push(res);
      else res.writeHead(what).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, hanging };
}

/** Waits (on real time, for real sockets) until `check` holds; no timing is asserted. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

function setup(db?: Db) {
  const clock = createFakeClock();
  const database = db ?? openDatabase(path.join(tempDir(), 'newsdesk.db'));
  const store = createWebhookStore(database);
  const { log, entries } = createMemoryLogger();
  const senders: ReturnType<typeof createWebhookSender>[] = [];
  const sender = (urls: string[], over: Partial<WebhookSenderOptions> = {}) => {
    const s = createWebhookSender({ store, urls, secret: SECRET, clock, log, ...over });
    senders.push(s);
    onTestFinished(() => s.stop());
    return s;
  };
  return { clock, db: database, store, log, entries, sender };
}

const article = (over: Partial<Article> = {}): Article => ({
  id: 7,
  headline: 'Quake hits Sabah',
  summary: '',
  url: 'https://news.example.com/quake',
  canonicalUrl: 'https://news.example.com/quake',
  imageUrl: null,
  category: 'Nation',
  priority: 'breaking',
  publishAt: 0,
  timed: false,
  source: 'cli',
  status: 'posted',
  attempts: 1,
  nextAttemptAt: 0,
  lastError: null,
  createdAt: 0,
  updatedAt: 1,
  postedAt: 1,
  ...over,
});

describe('webhooks', () => {
  it('POSTs the event with the article, channel and message id, signed so the receiver can verify it', async () => {
    const t = setup();
    const receiver = await startReceiver();
    const events = webhookEvents(t.sender([receiver.url]), 'main', t.clock);
    events.posted(article(), { id: 41, messageId: 'msg-41' });
    await until(() => t.store.recent(1)[0]?.status === 'delivered');

    const [got] = receiver.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-newsdesk-event']).toBe('posted');
    expect(got!.headers['x-newsdesk-delivery']).toBe('posted:41');
    expect(verifySignature(SECRET, got!.body, got!.headers['x-newsdesk-signature'] as string)).toBe(true);
    expect(got!.headers['x-newsdesk-signature']).toBe(signBody(SECRET, got!.body));
    // A body changed in transit, or signed with another secret, does not verify.
    expect(verifySignature(SECRET, got!.body.replace('Sabah', 'Sarawak'), got!.headers['x-newsdesk-signature'] as string)).toBe(false);
    expect(verifySignature('another-secret-0123456789', got!.body, got!.headers['x-newsdesk-signature'] as string)).toBe(false);
    expect(JSON.parse(got!.body)).toEqual({
      event: 'posted',
      id: 'posted:41',
      occurredAt: new Date(t.clock.now()).toISOString(),
      channel: { name: 'main' },
      article: { id: 7, headline: 'Quake hits Sabah', url: 'https://news.example.com/quake', category: 'Nation', priority: 'breaking', status: 'posted' },
      messageId: 'msg-41',
    });
    expect(t.store.recent(1)[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204, channel: 'main', messageId: 'msg-41' });
  });

  it('retries after 500s with exponential back-off until the receiver takes it, and stores a repeated event once', async () => {
    const t = setup();
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    const sender = t.sender([receiver.url]);
    const events = webhookEvents(sender, 'main', t.clock);
    events.failed(article({ status: 'failed' }), 'gave up after 5 attempts');
    events.failed(article({ status: 'failed' }), 'gave up after 5 attempts'); // the same happening again
    await until(() => t.store.recent(1)[0]?.attempts === 1);
    const first = t.store.recent(5);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ status: 'pending', lastStatus: 500, lastError: 'the receiver answered HTTP 500', nextAttemptAt: t.clock.now() + 30_000 });

    t.clock.advance(29_999); // not yet
    await sender.idle();
    expect(receiver.received).toHaveLength(1);
    t.clock.advance(1);
    await until(() => t.store.recent(1)[0]?.attempts === 2);
    expect(t.store.recent(1)[0]!.nextAttemptAt).toBe(t.clock.now() + 60_000); // doubled
    t.clock.advance(60_000);
    await until(() => t.store.recent(1)[0]?.status === 'delivered');
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1); // the same signed body each time
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ event: 'failed', error: 'gave up after 5 attempts', messageId: null });
    expect(t.entries.filter((e) => e.msg === 'webhook failed; will retry')).toHaveLength(2);
  });

  it('gives up after the last attempt and says so in the log', async () => {
    const t = setup();
    const receiver = await startReceiver(() => 503);
    const sender = t.sender([receiver.url], { maxAttempts: 2 });
    webhookEvents(sender, 'main', t.clock).posted(article(), { id: 1, messageId: 'm' });
    await until(() => t.store.recent(1)[0]?.attempts === 1);
    t.clock.advance(webhookBackoffMs(1));
    await until(() => t.store.recent(1)[0]?.status === 'failed');
    expect(t.store.recent(1)[0]).toMatchObject({ attempts: 2, lastStatus: 503 });
    expect(t.entries.some((e) => e.level === 'error' && e.msg === 'webhook gave up after 2 attempts')).toBe(true);
  });

  it('keeps what was not delivered across a restart: the next sender over the same database delivers it', async () => {
    const t = setup();
    const down = await startReceiver(() => 500);
    const first = t.sender([down.url]);
    webhookEvents(first, 'main', t.clock).posted(article(), { id: 9, messageId: 'm9' });
    await until(() => t.store.recent(1)[0]?.attempts === 1);
    await first.stop();

    // The receiver is fixed; the bot restarts (a new sender over the same file) after the back-off.
    down.received.length = 0;
    const up = await startReceiver(() => 200);
    t.db.prepare('UPDATE webhook_deliveries SET url = ?').run(up.url); // same row, now pointing at a receiver that answers
    t.clock.advance(webhookBackoffMs(1));
    const again = setup(t.db);
    again.clock.set(t.clock.now());
    again.sender([up.url]).start();
    await until(() => again.store.recent(1)[0]?.status === 'delivered');
    expect(up.received).toHaveLength(1);
    expect(again.store.recent(1)[0]!.attempts).toBe(2);
  });

  it('after a kill between a post and its event, the next start records and sends the missed event (once)', async () => {
    const t = setup();
    const receiver = await startReceiver();
    const queue = createArticleQueue(t.db);
    const first = t.sender([receiver.url]);
    expect(recordMissedEvents(first, t.store, 'main', t.clock, t.log)).toBe(0); // first start: nothing before it counts
    first.start();

    // Posted and failed while the bot ran, but killed before either event was written.
    t.clock.advance(60_000);
    const posted = queue.enqueue({ headline: 'Landed', url: 'https://news.example.com/landed', priority: 'breaking' }, t.clock.now()).article;
    const failed = queue.enqueue({ headline: 'Refused', url: 'https://news.example.com/refused', priority: 'breaking' }, t.clock.now()).article;
    const render = (a: Article) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' });
    const claim = queue.claimNext(t.clock.now(), t.clock.now(), 'outbox', render);
    if (claim?.kind !== 'claimed') throw new Error('expected a claim');
    queue.markPosted(claim.delivery.id, 'msg-landed', t.clock.now());
    const claim2 = queue.claimNext(t.clock.now(), t.clock.now(), 'outbox', render);
    if (claim2?.kind !== 'claimed') throw new Error('expected a claim');
    queue.markFailed(claim2.delivery.id, 'content refused', t.clock.now(), { final: true });
    await first.stop();

    t.clock.advance(60_000);
    const again = t.sender([receiver.url]);
    expect(recordMissedEvents(again, t.store, 'main', t.clock, t.log)).toBe(2);
    again.start();
    await until(() => t.store.counts().delivered === 2);
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as { event: string; article: { id: number }; messageId: string | null });
    expect(bodies.map((b) => [b.event, b.article.id, b.messageId]).sort()).toEqual(
      [['failed', failed.id, null], ['posted', posted.id, 'msg-landed']].sort(),
    );
    // A third start finds nothing new: the events are stored once.
    expect(recordMissedEvents(again, t.store, 'main', t.clock, t.log)).toBe(0);
  });

  it('a missed post names the channel it went to, not the default one', async () => {
    const t = setup();
    const receiver = await startReceiver();
    const queue = createArticleQueue(t.db);
    const first = t.sender([receiver.url]);
    recordMissedEvents(first, t.store, 'main', t.clock, t.log);
    await first.stop();

    t.clock.advance(60_000);
    const article = queue.enqueue({ headline: 'Derby result', url: 'https://news.example.com/derby', priority: 'breaking' }, t.clock.now(), { channels: ['sport'] }).article;
    const claim = queue.claimNext(t.clock.now(), t.clock.now(), 'any', (a: Article) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }));
    if (claim?.kind !== 'claimed') throw new Error('expected a claim');
    expect(claim.delivery.channel).toBe('sport');
    queue.markPosted(claim.delivery.id, 'msg-sport', t.clock.now());

    t.clock.advance(60_000);
    const again = t.sender([receiver.url]);
    expect(recordMissedEvents(again, t.store, 'main', t.clock, t.log)).toBe(1);
    again.start();
    await until(() => t.store.counts().delivered === 1);
    const body = JSON.parse(receiver.received[0]!.body) as { event: string; channel: { name: string }; article: { id: number } };
    expect([body.event, body.channel.name, body.article.id]).toEqual(['posted', 'sport', article.id]);
    await again.stop();
  });

  it('never blocks posting: articles go out while the receiver hangs without answering', async () => {
    const t = setup();
    const receiver = await startReceiver(() => 'hang');
    const sender = t.sender([receiver.url], { timeoutMs: 60_000 });
    const queue = createArticleQueue(t.db);
    const channel = createFakeChannel(t.clock);
    const dispatcher = createDispatcher({
      queue,
      channel,
      clock: t.clock,
      log: t.log,
      render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
      minGapMs: 0,
      maxAttempts: 3,
      sendTimeoutMs: 30_000,
      confirmDelaysMs: [0],
      events: webhookEvents(sender, 'main', t.clock),
    });
    onTestFinished(() => dispatcher.stop().then(() => undefined));
    dispatcher.start();
    queue.enqueue({ headline: 'One', url: 'https://news.example.com/1', priority: 'breaking' }, t.clock.now());
    dispatcher.wake('test');
    await dispatcher.idle();
    await until(() => receiver.hanging.length === 1); // the first webhook is stuck at the receiver
    for (const n of [2, 3, 4]) queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority: 'breaking' }, t.clock.now());
    dispatcher.wake('test');
    await dispatcher.idle();
    await settle();
    expect(channel.posted.map((p) => p.text.split('\n')[0])).toEqual(['*BREAKING: One*', '*BREAKING: Story 2*', '*BREAKING: Story 3*', '*BREAKING: Story 4*']);
    expect(receiver.hanging).toHaveLength(1); // still waiting on the first
    expect(t.store.counts()).toEqual({ pending: 4, delivered: 0, failed: 0 }); // every event recorded, none lost
  });

  it('refuses link-local and cloud metadata addresses, like feeds', async () => {
    const t = setup();
    const connected: string[] = [];
    const sender = t.sender(['http://metadata.internal/hook', 'http://169.254.169.254/latest'], {
      guard: { resolve: async () => [{ address: '169.254.169.254', family: 4 }], beforeConnect: (address) => void connected.push(address) },
    });
    webhookEvents(sender, 'main', t.clock).posted(article(), { id: 3, messageId: 'm3' });
    await until(() => t.store.recent(2).every((d) => d.attempts === 1));
    for (const d of t.store.recent(2)) expect(d.lastError).toMatch(/refused: .*169\.254\.169\.254.*link-local or cloud metadata address/);
    expect(connected).toEqual([]);
  });

  it('records nothing and sends nothing when no webhook is set', async () => {
    const t = setup();
    webhookEvents(t.sender([]), 'main', t.clock).posted(article(), { id: 1, messageId: 'm' });
    await settle();
    expect(t.store.recent(10)).toEqual([]);
  });
});
