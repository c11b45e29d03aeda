import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * The exact replies of the state-changing commands in each state an article can be in: an editor acts
 * on what the reply says, so a wrong word is a wrong instruction.
 */
const URL1 = 'https://news.example.com/floods';
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const API: Actor = { door: 'api', id: 'api' };

function withArticle() {
  const t = commandSetup();
  const queue = async () => t.core.run(`queue One | ${URL1}`, CLI);
  const claim = () => {
    const c = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', () => 'text');
    if (c?.kind !== 'claimed') throw new Error('no claim');
    return c;
  };
  return { ...t, queue, claim };
}

describe('cancel, retry, pause and resume: the reply in every state', () => {
  it('cancel says why an article in each other state cannot be cancelled, and changes nothing', async () => {
    const t = withArticle();
    await t.queue();
    const c = t.claim();
    expect(await t.core.run('cancel 1', CLI)).toMatchObject({ status: 'invalid', reason: 'conflict', text: '#1 cannot be cancelled: it is being posted right now.', data: { article: { id: 1, status: 'posting' } } });
    t.ctx.queue.markFailed(c.delivery.id, 'boom', t.clock.now(), { final: true });
    expect((await t.core.run('cancel 1', CLI)).text).toBe('#1 cannot be cancelled: it already failed and will not be posted unless you retry it.');
    t.db.prepare(`UPDATE articles SET status = 'posted'`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'posted'`).run(); // its channel row too
    expect((await t.core.run('cancel 1', CLI)).text).toBe('#1 cannot be cancelled: it is already posted (delete it in WhatsApp if it must go).');
    t.db.prepare(`UPDATE articles SET status = 'cancelled'`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'cancelled'`).run(); // its channel row too
    expect((await t.core.run('cancel 1', CLI)).text).toBe('#1 cannot be cancelled: it is already cancelled.');
    expect(await t.core.run('cancel 9', CLI)).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no article #9. Use "list all" to see ids.', data: { id: 9 } });
  });

  it('a successful cancel returns the cancelled article', async () => {
    const t = withArticle();
    await t.queue();
    expect(await t.core.run('cancel 1', CLI)).toMatchObject({ status: 'ok', text: 'Cancelled #1. It will not be posted.', data: { article: { id: 1, status: 'cancelled' } } });
  });

  it('retry refuses what did not fail, names a missing id, and wakes the dispatcher for a failed one', async () => {
    const t = withArticle();
    await t.queue();
    const wakesBefore = t.wakes();
    expect(await t.core.run('retry 1', CLI)).toMatchObject({ status: 'invalid', reason: 'conflict', text: '#1 is queued, not failed: only failed articles can be retried.', data: { article: { id: 1, status: 'queued' } } });
    expect(await t.core.run('retry 7', CLI)).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no article #7. Use "list failed" to see failed ones.', data: { id: 7 } });
    expect(t.wakes()).toBe(wakesBefore);
    t.db.prepare(`UPDATE articles SET status = 'failed'`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'failed'`).run(); // its channel row too
    expect(await t.core.run('retry 1', CLI)).toMatchObject({ status: 'ok', data: { article: { id: 1, status: 'queued' } } });
    expect(t.wakes()).toBe(wakesBefore + 1);
  });

  it('pause and resume say whether anything changed; resume wakes the dispatcher', async () => {
    const t = commandSetup();
    expect(await t.core.run('resume', CLI)).toMatchObject({ status: 'ok', text: 'Posting was not paused.', data: { paused: false } });
    expect(await t.core.run('pause', CLI)).toMatchObject({ text: 'Paused: nothing will be posted until "resume". Articles still queue.', data: { paused: true } });
    expect(await t.core.run('pause', CLI)).toMatchObject({ text: 'Posting was already paused.', data: { paused: true } });
    expect(t.ctx.settings.isPaused()).toBe(true);
    const wakes = t.wakes();
    expect(await t.core.run('resume', CLI)).toMatchObject({ text: 'Resumed: posting goes on.', data: { paused: false } });
    expect(t.wakes()).toBe(wakes + 1);
    expect(t.ctx.settings.isPaused()).toBe(false);
  });
});

describe('queueing: the reply says what happened and what comes next', () => {
  it('a WhatsApp admin is told a receipt will follow; the CLI and the API are not', async () => {
    const t = commandSetup();
    expect((await t.core.run(`queue One | ${URL1}/1`, ADMIN)).text).toBe('Queued #1: goes out at the next scheduled release.\nYou will get a message when it is posted.');
    expect((await t.core.run(`queue Two | ${URL1}/2`, CLI)).text).toBe('Queued #2: goes out at the next scheduled release.');
    expect((await t.core.run(`breaking Three | ${URL1}/3`, CLI)).text).toBe('Queued #3 ⚡ BREAKING: goes out as soon as pacing allows.');
  });

  it('a cancelled link queued again by an editor is "Queued again"; from the API it stays cancelled, with the reason', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}`, CLI);
    await t.core.run('cancel 1', CLI);
    const fromApi = await t.core.run(`queue One again | ${URL1}`, API);
    expect(fromApi).toMatchObject({ status: 'ok', data: { outcome: 'existing', article: { status: 'cancelled' } } });
    expect(fromApi.text).toBe('Already known as #1 (cancelled): that link was queued before, so nothing new was added. An editor cancelled it: only an editor can queue it again (from WhatsApp or the CLI).');
    const wakes = t.wakes();
    const fromCli = await t.core.run(`queue One again | ${URL1}`, CLI);
    expect(fromCli).toMatchObject({ status: 'ok', text: 'Queued again #1: goes out at the next scheduled release.', data: { outcome: 'requeued' } });
    expect(t.wakes()).toBe(wakes + 1);
  });

  it('a failed link sent again from the API is pointed at retry; a queued one gets no hint and no wake', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}`, CLI);
    const wakes = t.wakes();
    expect((await t.core.run(`queue One | ${URL1}`, API)).text).toBe('Already known as #1 (queued): that link was queued before, so nothing new was added.');
    expect(t.wakes()).toBe(wakes);
    t.db.prepare(`UPDATE articles SET status = 'failed'`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'failed'`).run(); // its channel row too
    expect((await t.core.run(`queue One | ${URL1}`, API)).text).toBe(
      'Already known as #1 (failed): that link was queued before, so nothing new was added. It failed: retry it (POST /api/articles/1/retry) to try again.',
    );
  });

  it('an existing article answers with its own stored text, not the request\'s', async () => {
    const t = commandSetup();
    await t.core.run(`breaking Original | First words | ${URL1}`, CLI);
    const again = await t.core.run(`queue Different | Other words | ${URL1}`, CLI);
    expect(again.data).toMatchObject({ outcome: 'existing', text: `*🔴 BREAKING: Original*\n\nFirst words\n\n${URL1}` });
    const fresh = await t.core.run(`queue New | Words | ${URL1}/new`, CLI);
    expect(fresh.data).toMatchObject({ outcome: 'created', text: `*New*\n\nWords\n\n${URL1}/new` });
  });

  it('schedule refuses a time it cannot read, naming the field, and queues nothing', async () => {
    const t = commandSetup();
    const result = await t.core.run(`schedule someday Budget | ${URL1}`, CLI);
    expect(result).toMatchObject({ status: 'invalid', data: { field: 'when' } });
    expect(t.snapshot().articles).toEqual([]);
  });

  it('preview of a missing id says so', async () => {
    const t = commandSetup();
    expect(await t.core.run('preview 5', CLI)).toMatchObject({ status: 'invalid', text: 'There is no article #5. Use "list all" to see ids.', data: { id: 5 } });
    expect(await t.core.run('preview #5', CLI)).toMatchObject({ status: 'invalid', data: { id: 5 } });
  });
});

describe('help for the state-changing commands', () => {
  it.each([
    ['cancel', 'cancel <id>\ncancel a queued or scheduled article\nexample: cancel 12'],
    ['retry', 'retry <id>\nput a failed article back in the queue\nexample: retry 12'],
    ['pause', 'pause\nstop posting; the queue keeps filling\nexample: pause'],
    ['resume', 'resume\nstart posting again\nexample: resume'],
  ])('help %s gives the usage, what it does and an example', async (name, text) => {
    const t = commandSetup();
    expect(await t.core.run(`help ${name}`, CLI)).toMatchObject({ status: 'ok', text });
  });
});
