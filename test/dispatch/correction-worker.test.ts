import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { correctionFollowUp } from '../../src/articles/correction-text.js';
import { formatPost } from '../../src/articles/format.js';
import { createCorrectionWorker } from '../../src/dispatch/correction-worker.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createCorrectionsStore, type Correction } from '../../src/store/corrections-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createWebhookSender, webhookEvents } from '../../src/webhooks/webhook-sender.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const FORMAT = { summaryMaxChars: 200, breakingLabel: 'BREAKING' };
const render = (a: { headline: string; summary: string; url: string }) => formatPost({ ...a, priority: 'normal' }, FORMAT);

/** A posted article on the fake channel, and a worker over the same database (a new one = a restart). */
function setup() {
  const clock = createFakeClock();
  const file = path.join(tempDir(), 'newsdesk.db');
  const db = openDatabase(file);
  const queue = createArticleQueue(db);
  const store = createCorrectionsStore(db);
  const channel = createFakeChannel(clock);
  const { log, entries } = createMemoryLogger();
  const corrected: Correction[] = [];
  const worker = () =>
    createCorrectionWorker({
      store,
      channel,
      clock,
      log,
      followUpText: (c) => correctionFollowUp(c.previousHeadline, c.text),
      sendTimeoutMs: 30_000,
      maxAttempts: 3,
      confirmDelaysMs: [0, 1_000],
      onCorrected: (c) => corrected.push(c),
    });

  async function postArticle() {
    const { article } = queue.enqueue({ headline: 'Quake hits Sarawak', summary: 'Magnitude 6.1', url: 'https://news.example.com/quake' }, clock.now());
    const claim = queue.claimNext(clock.now(), clock.now(), channel.name, (a) => render(a));
    if (claim?.kind !== 'claimed') throw new Error('not claimed');
    const messageId = await channel.send({ articleId: article.id, text: claim.delivery.text });
    queue.markPosted(claim.delivery.id, messageId, clock.now());
    return { article, messageId, text: claim.delivery.text };
  }

  function correct(articleId: number, messageId: string) {
    const fix = { headline: 'Quake hits Sabah', summary: 'Magnitude 6.1', url: 'https://news.example.com/quake' };
    return store.record({ articleId, ...fix, targets: [{ channel: 'main', messageId, text: render(fix) }], by: 'cli' }, clock.now()).corrections[0]!;
  }

  async function run(w: ReturnType<typeof worker>, ms = 0) {
    await settle();
    await clock.advanceByTimers(ms);
    await w.idle();
    await settle();
  }
  return { clock, db, queue, store, channel, entries, corrected, worker, postArticle, correct, run };
}

describe('correction worker', () => {
  it('edits the post inside the edit window and confirms the new text by reading the channel back', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.channel.editCalls.map((e) => e.edit)).toEqual([{ articleId: article.id, channel: 'main', messageId, text: '*Quake hits Sabah*\n\nMagnitude 6.1\n\nhttps://news.example.com/quake' }]);
    expect(t.channel.posted.map((p) => p.text)).toEqual(['*Quake hits Sabah*\n\nMagnitude 6.1\n\nhttps://news.example.com/quake']);
    expect(t.channel.sendCalls).toHaveLength(1); // the original post only
    expect(t.store.get(c.id)).toMatchObject({ status: 'edited', attempts: 1, followUpText: null });
    expect(t.corrected.map((x) => x.status)).toEqual(['edited']);
    await w.stop();
  });

  it('posts a follow-up "✏️ Correction" quoting the headline when WhatsApp will not edit the post', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('not-editable');
    const w = t.worker();
    w.start();
    await t.run(w);
    const followUp = '✏️ Correction: “Quake hits Sarawak”\n\n*Quake hits Sabah*\n\nMagnitude 6.1\n\nhttps://news.example.com/quake';
    expect(t.channel.sendCalls.map((s) => s.post.text).at(-1)).toBe(followUp);
    expect(t.store.get(c.id)).toMatchObject({ status: 'followed-up', followUpText: followUp, followUpMessageId: 'fake-2', reason: 'older than the edit window' });
    expect(t.channel.posted[0]!.text).toBe('*Quake hits Sarawak*\n\nMagnitude 6.1\n\nhttps://news.example.com/quake'); // not edited
    expect(t.corrected.map((x) => x.status)).toEqual(['followed-up']);
    await w.stop();
  });

  it('retries an edit that failed, and the retry reads the channel back before editing again', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('throw');
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.store.get(c.id)).toMatchObject({ status: 'editing', lastError: expect.stringContaining('edit exploded') });
    await t.run(w, 120_000);
    expect(t.store.get(c.id)).toMatchObject({ status: 'edited', attempts: 2 });
    expect(t.channel.editCalls).toHaveLength(2);
    await w.stop();
  });

  it('after a crash mid-follow-up that reached the channel, the follow-up is found and not posted again', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    // The first run recorded the follow-up, sent it, and died before recording that it was posted.
    const text = correctionFollowUp(c.previousHeadline, c.text);
    t.store.markEditing(c.id, t.clock.now());
    t.store.markFollowingUp(c.id, text, 'older than the edit window', t.clock.now());
    await t.channel.send({ articleId: article.id, text });
    const sends = t.channel.sendCalls.length;

    const restarted = t.worker();
    restarted.start();
    await t.run(restarted);
    expect(t.channel.sendCalls).toHaveLength(sends);
    expect(t.channel.posted.filter((p) => p.text === text)).toHaveLength(1);
    expect(t.store.get(c.id)).toMatchObject({ status: 'followed-up', followUpMessageId: 'fake-2' });
    await restarted.stop();
  });

  it('after a crash before the recorded follow-up was sent, it is sent once; a correction is never lost', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const text = correctionFollowUp(c.previousHeadline, c.text);
    t.store.markEditing(c.id, t.clock.now());
    t.store.markFollowingUp(c.id, text, 'older than the edit window', t.clock.now());

    const restarted = t.worker();
    restarted.start();
    await t.run(restarted);
    expect(t.channel.posted.filter((p) => p.text === text)).toHaveLength(1);
    expect(t.channel.editCalls).toHaveLength(0); // decided before the crash: no edit now
    expect(t.store.get(c.id)?.status).toBe('followed-up');
    await restarted.stop();
  });

  it('after a crash mid-edit, an edit that reached the channel is found and not made again', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.store.markEditing(c.id, t.clock.now());
    await t.channel.editPost!({ articleId: article.id, messageId, text: c.text });
    const edits = t.channel.editCalls.length;

    const restarted = t.worker();
    restarted.start();
    await t.run(restarted);
    expect(t.channel.editCalls).toHaveLength(edits);
    expect(t.store.get(c.id)?.status).toBe('edited');
    await restarted.stop();
  });

  it('waits while the channel is not ready, and applies the correction once it is', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.setState('disconnected');
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.store.get(c.id)?.status).toBe('pending');
    t.channel.setState('ready');
    await t.run(w);
    expect(t.store.get(c.id)?.status).toBe('edited');
    await w.stop();
  });

  it('keeps every version: the original as version 1, each correction after it, and the article as last corrected', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    t.correct(article.id, messageId);
    expect(t.store.versions(article.id).map((v) => [v.version, v.headline, v.createdBy])).toEqual([
      [1, 'Quake hits Sarawak', 'original'],
      [2, 'Quake hits Sabah', 'cli'],
    ]);
    expect(t.queue.get(article.id)).toMatchObject({ headline: 'Quake hits Sabah', status: 'posted' });
  });

  it('sends a signed `corrected` webhook with the method, version and message ids', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    t.correct(article.id, messageId);
    t.channel.nextEdits.push('not-editable');
    const w = t.worker();
    w.start();
    await t.run(w);
    // Recorded the way the bot records it; the sender is stopped at once, so nothing leaves the test.
    const webhookStore = createWebhookStore(t.db);
    const sender = createWebhookSender({ store: webhookStore, urls: ['http://127.0.0.1:9/hook'], secret: 'x'.repeat(32), clock: t.clock, log: createMemoryLogger().log });
    webhookEvents(sender, 'main', t.clock).corrected(t.queue.get(article.id)!, t.corrected[0]!);
    await sender.stop();
    const [row] = webhookStore.recent(1);
    expect(row).toMatchObject({ event: 'corrected', eventId: `corrected:${t.corrected[0]!.id}`, messageId, channel: 'main' });
    expect(JSON.parse(row!.body)).toMatchObject({
      event: 'corrected',
      channel: { name: 'main' },
      article: { id: article.id, headline: 'Quake hits Sabah' },
      messageId,
      correction: { method: 'follow-up', version: 2, followUpMessageId: 'fake-2', reason: 'older than the edit window' },
    });
    await w.stop();
  });

  it('a corrected event the bot never recorded (killed right after the correction) is found at the next start', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const webhookStore = createWebhookStore(t.db);
    expect(webhookStore.missedEvents(t.clock.now())).toEqual([]); // sets the mark: from here on
    t.clock.advance(1_000);
    const c = t.correct(article.id, messageId);
    const w = t.worker();
    w.start();
    await t.run(w);
    await w.stop();
    t.clock.advance(1_000);
    const missed = webhookStore.missedEvents(t.clock.now());
    expect(missed).toEqual([
      expect.objectContaining({ event: 'corrected', eventId: `corrected:${c.id}`, messageId, correction: { method: 'edit', version: 2, followUpMessageId: null, reason: null } }),
    ]);
  });
});
