import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import type { Actor } from '../../src/commands/types.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `correct`: every refusal, and the reply for each way the bot can end a correction (edited, followed
 * up, failed, still open), with and without waiting for it.
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const URL1 = 'https://news.example.com/quake';
const URL2 = 'https://news.example.com/budget';
const NEW_TEXT = `*Quake hits Sabah*\n\nMagnitude 5.9\n\n${URL1}`;
const CORRECT = `correct 1 Quake hits Sabah | Magnitude 5.9 | ${URL1}`;

/** A posted article #1 (message msg-1 on main) and a queued #2; `waitMs` as the bot or CLI would set it. */
async function posted(options: { running?: boolean; waitMs?: number } = {}) {
  const t = commandSetup({ running: options.running ?? true });
  t.ctx.corrections!.waitMs = options.waitMs ?? 0;
  await t.core.run(`queue Quake hits Sarawak | Magnitude 6.1 | ${URL1}`, CLI);
  await t.core.run(`queue Budget explained | ${URL2}`, CLI);
  const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
  if (claim?.kind !== 'claimed') throw new Error('no claim');
  t.ctx.queue.markPosted(claim.delivery.id, 'msg-1', t.clock.now());
  const store = t.ctx.corrections!.store;
  /** What the bot does to correction #1 a moment after the command starts waiting. */
  const botLater = (step: () => void, ms = 30) => setTimeout(step, ms);
  return { ...t, store, botLater };
}

describe('correct: refusals', () => {
  it('says when corrections are not wired into this door', async () => {
    const t = await posted();
    t.ctx.corrections = undefined;
    expect(await t.core.run(CORRECT, CLI)).toMatchObject({ status: 'invalid', text: 'Corrections are not available here.' });
  });

  it('names a missing article, and one that is not posted', async () => {
    const t = await posted();
    expect(await t.core.run(`correct 9 X | ${URL1}`, CLI)).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no article #9. Use "list all" to see ids.', data: { id: 9 } });
    expect(await t.core.run(`correct 2 Budget 2027 | ${URL2}`, CLI)).toMatchObject({
      status: 'invalid',
      reason: 'conflict',
      text: '#2 is queued, not posted: only a posted article can be corrected (a queued one can be cancelled and queued again).',
      data: { id: 2, status: 'queued' },
    });
  });

  it('refuses an article marked posted that has no posted message to edit', async () => {
    const t = await posted();
    t.db.prepare(`UPDATE articles SET status = 'posted' WHERE id = 2`).run();
    expect(await t.core.run(`correct 2 Budget 2027 | ${URL2}`, CLI)).toMatchObject({ status: 'invalid', reason: 'conflict', text: '#2 was posted without a message id, so there is no post to edit or quote.' });
    expect(t.store.ofArticle(2)).toEqual([]);
  });

  it('refuses a correction that changes nothing, and a link another article has', async () => {
    const t = await posted();
    const wakes = t.wakes();
    expect(await t.core.run(`correct 1 Quake hits Sarawak | Magnitude 6.1 | ${URL1}`, CLI)).toMatchObject({
      status: 'invalid',
      reason: 'conflict',
      text: '#1 already reads like that: nothing to correct.',
      data: { id: 1 },
    });
    expect(await t.core.run(`correct 1 Quake hits Sabah | ${URL2}`, CLI)).toMatchObject({
      status: 'invalid',
      reason: 'conflict',
      text: 'That link belongs to article #2: give #1 a link of its own.',
      data: { otherId: 2 },
    });
    expect(t.store.ofArticle(1)).toEqual([]);
    expect(t.wakes()).toBe(wakes);
  });
});

describe('correct: the reply says what the bot did', () => {
  it('recorded only, when the bot is not running (no waiting, even with a wait set)', async () => {
    const t = await posted({ running: false, waitMs: 20_000 });
    t.botLater(() => t.store.markDone(1, 'edited', t.clock.now()));
    const wakes = t.wakes();
    const result = await t.core.run(CORRECT, CLI);
    expect(result).toEqual({
      status: 'ok',
      text: '#1 corrected (version 2): recorded; the bot edits the post (or posts a follow-up when WhatsApp will not edit it) as soon as it is connected. "show 1" tells what was done.',
      data: {
        id: 1,
        version: 2,
        text: NEW_TEXT,
        corrections: [
          {
            id: 1,
            version: 2,
            channel: 'main',
            messageId: 'msg-1',
            status: 'pending',
            method: null,
            followUpMessageId: null,
            reason: null,
            error: null,
            createdAt: new Date(t.clock.now()).toISOString(),
            finishedAt: null,
          },
        ],
      },
    });
    expect(t.wakes()).toBe(wakes + 1);
  });

  it('recorded only, when no wait is set (the bot running)', async () => {
    const t = await posted({ running: true, waitMs: 0 });
    t.botLater(() => t.store.markDone(1, 'edited', t.clock.now()));
    expect((await t.core.run(CORRECT, CLI)).text).toMatch(/^#1 corrected \(version 2\): recorded;/);
  });

  it('edited: waits for the bot, also while it is editing', async () => {
    const t = await posted({ waitMs: 20_000 });
    t.botLater(() => t.store.markEditing(1, t.clock.now()), 10);
    t.botLater(() => t.store.markDone(1, 'edited', t.clock.now() + 2000), 250);
    const result = await t.core.run(CORRECT, CLI);
    expect(result).toMatchObject({
      status: 'ok',
      text: '#1 corrected (version 2): the post was edited (message msg-1).',
      data: { corrections: [{ status: 'edited', method: 'edit', finishedAt: new Date(t.clock.now() + 2000).toISOString() }] },
    });
  });

  it('followed up: waits while the follow-up is being sent, and says why WhatsApp would not edit', async () => {
    const t = await posted({ waitMs: 20_000 });
    t.botLater(() => {
      t.store.markFollowingUp(1, '✏️ Correction: Quake hits Sabah', 'too old to edit', t.clock.now());
      t.store.countAttempt(1, t.clock.now());
    }, 10);
    t.botLater(() => t.store.markDone(1, 'followed-up', t.clock.now(), 'msg-2'), 250);
    const result = await t.core.run(CORRECT, CLI);
    expect(result).toMatchObject({
      status: 'ok',
      text: '#1 corrected (version 2): WhatsApp would not edit the post (too old to edit), so a follow-up "✏️ Correction" was posted (message msg-2).',
      data: { corrections: [{ status: 'followed-up', method: 'follow-up', followUpMessageId: 'msg-2', reason: 'too old to edit' }] },
    });
  });

  it('followed up without a recorded reason says "refused"', async () => {
    const t = await posted({ waitMs: 20_000 });
    t.botLater(() => {
      t.store.markDone(1, 'followed-up', t.clock.now(), 'msg-2');
      t.db.prepare('UPDATE corrections SET reason = NULL').run();
    });
    expect((await t.core.run(CORRECT, CLI)).text).toBe(
      '#1 corrected (version 2): WhatsApp would not edit the post (refused), so a follow-up "✏️ Correction" was posted (message msg-2).',
    );
  });

  it('failed: an error result with the reason and where to look', async () => {
    const t = await posted({ waitMs: 20_000 });
    t.botLater(() => t.store.markFailed(1, 'message not found', t.clock.now()));
    const result = await t.core.run(CORRECT, CLI);
    expect(result).toMatchObject({
      status: 'error',
      text: '#1 corrected (version 2): applying it failed: message not found. The new text is stored; "show 1" has the details.',
      data: { corrections: [{ status: 'failed', method: null, error: 'message not found' }] },
    });
  });

  it('failed without a recorded error says "unknown error"', async () => {
    const t = await posted({ waitMs: 20_000 });
    t.botLater(() => {
      t.store.markFailed(1, 'x', t.clock.now());
      t.db.prepare('UPDATE corrections SET last_error = NULL').run();
    });
    expect((await t.core.run(CORRECT, CLI)).text).toMatch(/applying it failed: unknown error\. /);
  });

  it('stops waiting when the wait runs out, and says it is recorded', async () => {
    const t = await posted({ waitMs: 150 });
    const result = await t.core.run(CORRECT, CLI);
    expect(result).toMatchObject({ status: 'ok', data: { corrections: [{ status: 'pending' }] } });
    expect(result.text).toMatch(/^#1 corrected \(version 2\): recorded;/);
  });
});

describe('correct with structured input (the API)', () => {
  const body = { id: 1, headline: 'Quake hits Sabah', summary: 'Magnitude 5.9', url: URL1 };

  it('corrects like the text command; a null summary means none', async () => {
    const t = await posted();
    expect(await t.core.runStructured('correct', body, CLI)).toMatchObject({ status: 'ok', data: { id: 1, version: 2, text: NEW_TEXT } });
    expect(await t.core.runStructured('correct', { ...body, headline: 'Quake hits Sabah again', summary: null }, CLI)).toMatchObject({
      status: 'ok',
      data: { version: 3, text: `*Quake hits Sabah again*\n\n${URL1}` },
    });
  });

  it.each([
    [{ ...body, colour: 'red' }, 'correct: unknown field "colour": the fields are headline, summary, url'],
    [{ id: 1, url: URL1 }, 'correct: headline is required'],
    [{ id: 1, headline: 'X' }, 'correct: url is required'],
    [{ ...body, summary: 5 }, 'correct: summary must be a string'],
  ])('refuses %j, saying what is wrong', async (input, text) => {
    const t = await posted();
    expect(await t.core.runStructured('correct', input, CLI)).toMatchObject({ status: 'invalid', text });
  });
});
