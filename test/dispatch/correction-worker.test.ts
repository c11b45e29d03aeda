import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/channel/channel.js';
import { correctionFollowUp } from '../../src/articles/correction-text.js';
import { formatPost } from '../../src/articles/format.js';
import { createCorrectionWorker, type CorrectionWorkerOptions } from '../../src/dispatch/correction-worker.js';
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
  const worker = (over: Partial<CorrectionWorkerOptions> = {}) =>
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
      ...over,
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

  /** A correction whose edit was given up for a follow-up, recorded and not yet sent (as a crash leaves it). */
  function followingUp(articleId: number, messageId: string) {
    const c = correct(articleId, messageId);
    const text = correctionFollowUp(c.previousHeadline, c.text);
    store.markEditing(c.id, clock.now());
    store.markFollowingUp(c.id, text, 'older than the edit window', clock.now());
    return { c, text };
  }

  async function run(w: ReturnType<typeof worker>, ms = 0) {
    await settle();
    await clock.advanceByTimers(ms);
    await w.idle();
    await settle();
  }
  return { clock, db, queue, store, channel, entries, corrected, worker, postArticle, correct, followingUp, run };
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
    // The first run recorded the follow-up, sent it, and died before recording that it was posted.
    const { c, text } = t.followingUp(article.id, messageId);
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
    const { c, text } = t.followingUp(article.id, messageId);

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

describe('correction worker: what it logs, retries and gives up', () => {
  const problems = (entries: ReturnType<typeof setup>['entries']) => entries.filter((e) => e.level === 'warn' || e.level === 'error');

  it('edits a fresh correction without reading first, logs it with its ids, and then has nothing left to do', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.channel.findCalls()).toBe(1); // the confirmation after the edit only
    expect(t.entries).toContainEqual({
      level: 'info',
      msg: 'post edited',
      obj: { correctionId: c.id, articleId: article.id, messageId, how: 'edited', followUpMessageId: null },
    });
    expect(problems(t.entries)).toEqual([]);
    expect(t.clock.pending()).toBe(0);
    await w.stop();
  });

  it('a follow-up after a refused edit counts one attempt, looks nothing up first, and logs why and what', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('not-editable');
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.store.get(c.id)).toMatchObject({ status: 'followed-up', attempts: 1 });
    expect(t.channel.findCalls()).toBe(1); // the follow-up's confirmation only
    const infos = t.entries.filter((e) => e.level === 'info').map((e) => [e.msg, e.obj]);
    expect(infos).toEqual([
      ['the post cannot be edited; posting a follow-up correction', expect.objectContaining({ correctionId: c.id, reason: 'older than the edit window' })],
      ['follow-up correction posted', expect.objectContaining({ correctionId: c.id, how: 'followed-up', followUpMessageId: 'fake-2' })],
    ]);
    await w.stop();
  });

  it('after a restart, a recorded follow-up is looked for (counting the try) and one found is logged as found', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const { c } = t.followingUp(article.id, messageId);
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.store.get(c.id)).toMatchObject({ status: 'followed-up', attempts: 2 }); // the edit, then this send
    await w.stop();

    // Another correction whose follow-up reached the channel before the crash: found, not sent.
    const c2 = t.store.record(
      { articleId: article.id, headline: 'Quake hits Sabah, Malaysia', summary: '', url: 'https://news.example.com/quake', targets: [{ channel: 'main', messageId, text: 'fix 2' }], by: 'cli' },
      t.clock.now(),
    ).corrections[0]!;
    t.store.markEditing(c2.id, t.clock.now());
    t.store.markFollowingUp(c2.id, 'follow-up 2', 'older than the edit window', t.clock.now());
    await t.channel.send({ articleId: article.id, text: 'follow-up 2' });
    const again = t.worker();
    again.start();
    await t.run(again);
    expect(t.store.get(c2.id)).toMatchObject({ status: 'followed-up', attempts: 1, followUpMessageId: 'fake-3' });
    expect(t.entries).toContainEqual(expect.objectContaining({ msg: 'follow-up found on the channel from an earlier try', obj: expect.objectContaining({ correctionId: c2.id }) }));
    await again.stop();
  });

  it('after a restart, an edit found on the channel is logged as found after an interruption', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.store.markEditing(c.id, t.clock.now());
    await t.channel.editPost!({ articleId: article.id, messageId, text: c.text });
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.entries).toContainEqual(expect.objectContaining({ msg: 'found edited on the channel after an interruption', obj: expect.objectContaining({ how: 'edited' }) }));
    await w.stop();
  });

  it('an edit accepted but not found by reading back is retried (logged with when), not counted as done', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.editPost = async (edit) => ({ kind: 'edited', messageId: edit.messageId }); // says yes, changes nothing
    const w = t.worker();
    w.start();
    await t.run(w, 5_000);
    const after = t.store.get(c.id)!;
    expect(after).toMatchObject({ status: 'editing', attempts: 1, lastError: 'the edit was accepted but the new text was not found when reading the channel back' });
    expect(problems(t.entries)).toEqual([
      {
        level: 'warn',
        msg: 'correction try failed; will retry',
        obj: expect.objectContaining({ correctionId: c.id, error: after.lastError, retryAt: new Date(after.nextAttemptAt).toISOString() }),
      },
    ]);
    await w.stop();
  });

  it('a follow-up accepted but not found by reading back is retried, not counted as done', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('not-editable');
    t.channel.nextSends.push('lost');
    const w = t.worker();
    w.start();
    await t.run(w, 5_000);
    expect(t.store.get(c.id)).toMatchObject({ status: 'following-up', lastError: 'the follow-up was accepted but not found when reading the channel back' });
    await w.stop();
  });

  it('an edit or a follow-up that hangs times out, naming the step', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.editPost = () => new Promise(() => {});
    const w = t.worker();
    w.start();
    await t.run(w, 30_000);
    expect(t.store.get(c.id)?.lastError).toBe('editing the post did not finish within 30 s');
    await w.stop();

    const u = setup();
    const posted = await u.postArticle();
    const d = u.correct(posted.article.id, posted.messageId);
    u.channel.nextEdits.push('not-editable');
    u.channel.nextSends.push('hang');
    const v = u.worker();
    v.start();
    await u.run(v, 30_000);
    expect(u.store.get(d.id)?.lastError).toBe('sending the follow-up did not finish within 30 s');
    await v.stop();
  });

  it('gives up after the last attempt: exactly maxAttempts edits, failed, logged as an error', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('throw', 'throw', 'throw', 'throw', 'throw');
    const w = t.worker();
    w.start();
    await t.run(w, 30 * 60_000);
    expect(t.channel.editCalls).toHaveLength(3);
    expect(t.store.get(c.id)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'edit exploded' });
    expect(t.entries.filter((e) => e.level === 'error')).toEqual([{ level: 'error', msg: 'correction failed', obj: expect.objectContaining({ correctionId: c.id, error: 'edit exploded' }) }]);
    await w.stop();
  });

  it('a refusal that retrying cannot fix fails the correction at once', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.editPost = async () => {
      throw new ChannelError('WhatsApp refused this content', false);
    };
    const w = t.worker();
    w.start();
    await t.run(w, 10 * 60_000);
    expect(t.store.get(c.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'WhatsApp refused this content' });
    await w.stop();
  });

  it('a copy still waiting for the channel is looked at again one minute later, whatever the attempts', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const edit = t.channel.editPost!.bind(t.channel);
    let waits = 0;
    t.channel.editPost = async (e) => {
      waits += 1;
      if (waits <= 3) throw new ChannelError('an earlier copy still waits for the server', true, { waiting: true });
      return edit(e);
    };
    const w = t.worker({ maxAttempts: 1 });
    w.start();
    const start = t.clock.now();
    await t.run(w);
    expect(t.store.get(c.id)).toMatchObject({ status: 'editing', nextAttemptAt: start + 60_000, lastError: 'an earlier copy still waits for the server' });
    expect(t.entries).toContainEqual({
      level: 'info',
      msg: 'a copy still waits for the channel; looking again in a minute',
      obj: expect.objectContaining({ correctionId: c.id, reason: 'an earlier copy still waits for the server' }),
    });
    await t.run(w, 59_999);
    expect(waits).toBe(1);
    await t.run(w, 1);
    expect(waits).toBe(2);
    await t.run(w, 2 * 60_000);
    expect(t.store.get(c.id)?.status).toBe('edited');
    await w.stop();
  });

  it('a correction left to retry by a stopped worker is done by the next one when its time comes', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.nextEdits.push('throw');
    const first = t.worker();
    first.start();
    await t.run(first);
    await first.stop();
    const retryAt = t.store.get(c.id)!.nextAttemptAt;
    const next = t.worker();
    next.start();
    await t.run(next);
    expect(t.clock.pending()).toBe(1); // woken by itself at the retry time
    await t.run(next, retryAt - t.clock.now());
    expect(t.store.get(c.id)?.status).toBe('edited');
    await next.stop();
  });

  it('while the channel is not ready nothing is armed: it waits for the channel to say it is ready', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    t.correct(article.id, messageId);
    t.channel.setState('disconnected');
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.clock.pending()).toBe(0);
    await w.stop();
  });

  it('a throwing listener is logged and changes nothing; without a listener nothing is logged', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const w = t.worker({
      onCorrected: () => {
        throw new Error('webhook store full');
      },
    });
    w.start();
    await t.run(w);
    expect(t.store.get(c.id)?.status).toBe('edited');
    expect(problems(t.entries)).toEqual([
      { level: 'error', msg: 'correction listener failed', obj: expect.objectContaining({ correctionId: c.id, err: expect.objectContaining({ message: 'webhook store full' }) }) },
    ]);
    await w.stop();

    const u = setup();
    const posted = await u.postArticle();
    const d = u.correct(posted.article.id, posted.messageId);
    const v = u.worker({ onCorrected: undefined });
    v.start();
    await u.run(v);
    expect(u.store.get(d.id)?.status).toBe('edited');
    expect(problems(u.entries)).toEqual([]);
    await v.stop();
  });

  it('a failing pass is logged under the loop name and tried again 30 s later', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const nextDue = t.store.nextDue.bind(t.store);
    let calls = 0;
    t.store.nextDue = (now) => {
      calls += 1;
      if (calls === 1) throw new Error('database is locked');
      return nextDue(now);
    };
    const w = t.worker();
    w.start();
    await t.run(w);
    expect(t.entries).toContainEqual(expect.objectContaining({ level: 'error', msg: 'correction loop failed; looking again in 30 s' }));
    await t.run(w, 30_000);
    expect(t.store.get(c.id)?.status).toBe('edited');
    await w.stop();
  });

  it('whenFinished resolves every waiter once the correction is done, and cancels its timer', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    const w = t.worker();
    const done: string[] = [];
    void w.whenFinished(c.id, 60_000).then(() => done.push('first'));
    void w.whenFinished(c.id, 60_000).then(() => done.push('second'));
    w.start();
    await t.run(w);
    expect(done).toEqual(['first', 'second']);
    expect(t.clock.pending()).toBe(0);
    await w.stop();
  });

  it('whenFinished resolves after its timeout when the correction is not finished, and at stop()', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.setState('disconnected');
    const w = t.worker();
    w.start();
    const done: string[] = [];
    void w.whenFinished(c.id, 5_000).then(() => done.push('timed out'));
    void w.whenFinished(c.id, 60_000).then(() => done.push('stopped'));
    await t.run(w, 4_999);
    expect(done).toEqual([]);
    await t.run(w, 1);
    expect(done).toEqual(['timed out']);
    await w.stop();
    await settle();
    expect(done).toEqual(['timed out', 'stopped']);
  });

  it('after stop(), neither a wake nor the channel becoming ready applies anything', async () => {
    const t = setup();
    const { article, messageId } = await t.postArticle();
    const c = t.correct(article.id, messageId);
    t.channel.setState('disconnected');
    const w = t.worker();
    w.start();
    await t.run(w);
    await w.stop();
    t.channel.setState('ready');
    w.wake();
    await t.run(w, 60_000);
    expect(t.store.get(c.id)?.status).toBe('pending');
    expect(t.channel.editCalls).toEqual([]);
  });
});
