import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createEditions } from '../../src/commands/editions.js';
import type { Actor } from '../../src/commands/types.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `correct` on an article posted on several channels, with per-channel templates: which deliveries are
 * corrected, the text each channel gets, and the reply for several corrections (found by mutation testing).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const URL1 = 'https://news.example.com/quake';
const SPORT = '120363000000000002@newsletter';
const INVITE = 'https://whatsapp.com/channel/0029VaHarianNews0000000';
const MIN = 60_000;

/** Article #1 queued for main and sport (with `sportText`, the text sport's delivery was posted with). */
async function onTwoChannels(runtime: Parameters<typeof commandSetup>[0] = {}) {
  const t = commandSetup(runtime);
  await t.core.run(`channel add ${SPORT} name=sport`, CLI);
  await t.core.run(`queue channel=main,sport Quake hits Sarawak | Magnitude 6.1 | ${URL1}`, CLI);
  const store = t.ctx.corrections!.store;
  /** Claims the next delivery on `channel`; `post` marks it posted `after` ms later, `fail` failed. */
  const claim = (channel: string, render: (a: Parameters<typeof formatPost>[0]) => string = (a) => formatPost(a, t.ctx.format)) => {
    const c = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), { normal: [channel], breakingOnly: [] }, render);
    if (c?.kind !== 'claimed') throw new Error(`nothing to claim on ${channel}`);
    return c.delivery.id;
  };
  const post = (channel: string, messageId: string, after = 0, render?: (a: Parameters<typeof formatPost>[0]) => string) =>
    t.ctx.queue.markPosted(claim(channel, render), messageId, t.clock.now() + after);
  return { ...t, store, claim, post };
}

describe('correct: which deliveries are corrected', () => {
  it('every channel the article was posted on gets a correction; the reply has a sentence for each', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    t.post('sport', 'msg-sport');
    const result = await t.core.run(`correct 1 Quake hits Sabah | Magnitude 5.9 | ${URL1}`, CLI);
    const recorded = 'recorded; the bot edits the post (or posts a follow-up when WhatsApp will not edit it) as soon as it is connected. "show 1" tells what was done.';
    expect(result.text).toBe(`#1 corrected (version 2): ${recorded} ${recorded}`);
    expect(t.store.ofArticle(1).map((c) => [c.channel, c.messageId])).toEqual([
      ['main', 'msg-main'],
      ['sport', 'msg-sport'],
    ]);
  });

  it('an attempt that did not post (no message id, or not posted) is not corrected', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    const failed = t.claim('sport');
    t.ctx.queue.markFailed(failed, 'refused', t.clock.now(), { final: true });
    t.db.prepare(`UPDATE deliveries SET message_id = 'msg-ghost' WHERE id = ?`).run(failed);
    // Posted on main, failed on sport: the article is "failed", and main's post is corrected.
    expect(t.ctx.queue.get(1)!.status).toBe('failed');
    expect((await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).status).toBe('ok');
    expect(t.store.ofArticle(1).map((c) => c.channel)).toEqual(['main']);
    // Retried, sport posts the corrected version.
    expect((await t.core.run('retry 1', CLI)).status).toBe('ok');
    const again = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), { normal: ['sport'], breakingOnly: [] }, (a) => formatPost(a, t.ctx.format));
    expect(again?.kind === 'claimed' && again.delivery.text).toContain('Quake hits Sabah');
  });

  it('a delivery marked posted without a message id (nothing to edit) leaves nothing to correct', async () => {
    const t = commandSetup();
    await t.core.run(`queue Quake hits Sarawak | ${URL1}`, CLI);
    const c = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (c?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(c.delivery.id, 'msg-1', t.clock.now());
    t.db.prepare('UPDATE deliveries SET message_id = NULL').run();
    expect(await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).toMatchObject({ status: 'invalid', reason: 'conflict', text: '#1 was posted without a message id, so there is no post to edit or quote.' });
    expect(t.ctx.corrections!.store.ofArticle(1)).toEqual([]);
  });

  it('an article still waiting for one of its channels cannot be corrected yet', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    expect(t.ctx.queue.get(1)!.status).not.toBe('posted');
    expect(await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).toMatchObject({
      status: 'invalid',
      reason: 'conflict',
      data: { id: 1, status: 'queued' },
      text: '#1 is still queued on a channel: correct it once every channel has posted (or failed), or cancel it and queue it again.',
    });
    expect(t.store.ofArticle(1)).toEqual([]);
  });

  it('nor one a channel is posting right now (its post could go out with the old text)', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    t.claim('sport');
    expect(t.ctx.queue.get(1)!.status).toBe('posting');
    expect(await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).toMatchObject({
      status: 'invalid',
      reason: 'conflict',
      text: '#1 is still posting on a channel: correct it once every channel has posted (or failed), or cancel it and queue it again.',
    });
    expect(t.store.ofArticle(1)).toEqual([]);
  });

  it('a correction that changes one channel\'s text only is still a correction', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    t.post('sport', 'msg-sport', 0, () => 'an older text of the sport post');
    const result = await t.core.run(`correct 1 Quake hits Sarawak | Magnitude 6.1 | ${URL1}`, CLI);
    expect(result).toMatchObject({ status: 'ok', data: { version: 2 } });
  });

  it('an error that is not a link conflict is not answered as one', async () => {
    const t = await onTwoChannels();
    t.post('main', 'msg-main');
    t.post('sport', 'msg-sport');
    t.store.record = () => {
      throw new Error('database is locked');
    };
    expect(await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).toMatchObject({ status: 'error', text: expect.stringContaining('database is locked') });
  });
});

describe('correct: several corrections and the bot', () => {
  it('waits until every correction is finished; one failed makes the answer an error', async () => {
    const t = await onTwoChannels();
    t.ctx.corrections!.waitMs = 20_000;
    t.post('main', 'msg-main');
    t.post('sport', 'msg-sport');
    setTimeout(() => t.store.markDone(1, 'edited', t.clock.now()), 20);
    setTimeout(() => t.store.markFailed(2, 'message not found', t.clock.now()), 300);
    const result = await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI);
    expect(result).toMatchObject({
      status: 'error',
      text: '#1 corrected (version 2): the post was edited (message msg-main). applying it failed: message not found. The new text is stored; "show 1" has the details.',
      data: { corrections: [{ status: 'edited' }, { status: 'failed' }] },
    });
  });

  it('one edited and one followed up is ok', async () => {
    const t = await onTwoChannels();
    t.ctx.corrections!.waitMs = 20_000;
    t.post('main', 'msg-main');
    t.post('sport', 'msg-sport');
    setTimeout(() => {
      t.store.markDone(1, 'edited', t.clock.now());
      t.store.markFollowingUp(2, 'follow-up', 'too old', t.clock.now());
      t.store.markDone(2, 'followed-up', t.clock.now(), 'msg-f');
    }, 20);
    expect((await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).status).toBe('ok');
  });
});

describe('correct with per-channel templates', () => {
  /** Templates with the time and the invite link; `first` is the editions' default channel. */
  async function withTemplates(first: 'main' | 'sport', runtime: Parameters<typeof commandSetup>[0] = {}) {
    const t = await onTwoChannels(runtime);
    const names = first === 'main' ? ['main', 'sport'] : ['sport', 'main'];
    const editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: names });
    t.ctx.editions = editions;
    expect((await t.core.run('template set main *{{headline}}* {{link}} at {{time}} join {{invite}}', CLI)).status).toBe('ok');
    expect((await t.core.run('template set sport ⚽ {{headline}} {{link}} at {{time}} join {{invite}}', CLI)).status).toBe('ok');
    const invite = runtime.channelInfo === undefined && 'channelInfo' in runtime ? null : INVITE;
    const render = (channel: string, at: number) => (a: Parameters<typeof formatPost>[0]) => editions.render(a, channel, at, channel === editions.defaultChannel ? invite : null);
    // Claimed at 20:00, posted 5 minutes later: the template's time is the time it was posted.
    t.post('main', 'msg-main', 5 * MIN, render('main', t.clock.now() + 5 * MIN));
    t.post('sport', 'msg-sport', 5 * MIN, render('sport', t.clock.now() + 5 * MIN));
    t.clock.advance(60 * MIN);
    return t;
  }

  it('each channel gets its own template at the time it was posted; the invite link only on the default channel', async () => {
    const t = await withTemplates('main');
    expect((await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).status).toBe('ok');
    const texts = Object.fromEntries(t.store.ofArticle(1).map((c) => [c.channel, c.text]));
    expect(texts.main).toMatch(/^\*Quake hits Sabah\* \S+ at 20:05 join https:\/\/whatsapp\.com\/channel\/0029VaHarianNews0000000$/);
    expect(texts.sport).toMatch(/^⚽ Quake hits Sabah \S+ at 20:05 join\s*$/);
  });

  it('the default channel is the editions\' first one', async () => {
    const t = await withTemplates('sport');
    expect((await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).status).toBe('ok');
    const texts = Object.fromEntries(t.store.ofArticle(1).map((c) => [c.channel, c.text]));
    expect(texts.sport).toContain(`join ${INVITE}`);
    expect(texts.main).not.toContain(INVITE);
  });

  it('before the bot has connected there is no invite link to put in', async () => {
    const t = await withTemplates('main', { channelInfo: undefined });
    expect((await t.core.run(`correct 1 Quake hits Sabah | ${URL1}`, CLI)).status).toBe('ok');
    expect(t.store.ofArticle(1).find((c) => c.channel === 'main')!.text).toMatch(/at 20:05 join\s*$/);
  });
});

describe('correct with structured input', () => {
  it('a body that is not an object gets zod\'s own message, not the field list', async () => {
    const t = commandSetup();
    const result = await t.core.runStructured('correct', 'Quake hits Sabah', CLI);
    expect(result.status).toBe('invalid');
    expect(result.text).not.toContain('the fields are');
  });
});
