import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { listCommand } from '../../src/commands/handlers/inspect.js';
import type { Actor } from '../../src/commands/types.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `list`, `show`, `status` and `channel`: the answers and refusals mutation testing found unchecked
 * (option words that only look like options, long words cut, one channel that is not the default one,
 * a channel that left the registry).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const URL1 = 'https://news.example.com/story';
const SPORT = '120363000000000002@newsletter';
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const NEITHER = (word: string) => `"${word}" is neither a status (queued, scheduled, posted, failed, cancelled, all), a count, --offset <n> nor --cursor <c>`;
const OFFSET = 'the offset must be a whole number, e.g. --offset 100';
const BAD_CURSOR = 'that cursor is not one a list answer gave (use its nextCursor as it is)';

async function withArticle() {
  const t = commandSetup();
  await t.core.run(`queue Story 1 | ${URL1}/1`, CLI);
  return t;
}

describe('list: words that only look like options', () => {
  it.each([
    ['list xoffset=5', NEITHER('xoffset=5')],
    ['list --offsetx 5', NEITHER('--offsetx')],
    ['list --offset x5', OFFSET],
    ['list --offset 5x', OFFSET],
    ['list x5', NEITHER('x5')],
    ['list 5x', NEITHER('5x')],
    [`list ${'y'.repeat(50)}`, NEITHER('y'.repeat(30))],
    [`list --cursor !${b64('queued.1.1')}`, BAD_CURSOR],
  ])('%s is refused: %s', async (command, problem) => {
    const t = await withArticle();
    expect(await t.core.run(command, CLI)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
  });

  it('a cursor with long numbers is one a list answer can give', async () => {
    const t = await withArticle();
    for (const raw of ['queued.1795694400000.12345', 'all.-1795694400000.7']) {
      const filter = raw.split('.')[0]!;
      expect(await t.core.run(`list ${filter} --cursor ${b64(raw)}`, CLI), raw).toMatchObject({ status: 'ok' });
    }
  });

  it('the parser reports its refusals as custom issues carrying the message', () => {
    for (const text of ['--offset x', '--cursor', 'nope', `--offset 1 --cursor ${b64('queued.1.1')}`, `--cursor ${b64('nope.1.1')}`, `posted --cursor ${b64('queued.1.1')}`]) {
      const parsed = listCommand.args.safeParse(text);
      expect(parsed.error!.issues.map((i) => i.code), text).toEqual(['custom']);
    }
  });
});

describe('show', () => {
  it('every attempt on a line of its own, and nothing after an attempt without a note', async () => {
    const t = await withArticle();
    const first = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (first?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markFailed(first.delivery.id, 'send timed out', t.clock.now(), { retryAt: t.clock.now() });
    const second = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (second?.kind !== 'claimed') throw new Error('no second claim');
    t.ctx.queue.markPosted(second.delivery.id, 'wamid.2', t.clock.now());
    const text = (await t.core.run('show 1', CLI)).text;
    expect(text.slice(text.indexOf('attempts:'))).toBe('attempts:\n  1. 20:00 failed · send timed out\n  2. 20:00 posted · wamid.2');
  });

  it('an article on one channel that is not the default one shows its channel', async () => {
    const t = await withArticle();
    await t.core.run(`channel add ${SPORT} name=sport`, CLI);
    await t.core.run(`queue channel=sport Cup | ${URL1}/cup`, CLI);
    const c = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), { normal: ['sport'], breakingOnly: [] }, () => 'Cup text');
    if (c?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(c.delivery.id, 'msg-cup', t.clock.now());
    const text = (await t.core.run('show 2', CLI)).text;
    expect(text).toContain('\nchannels:\n  sport: posted 20:00 · msg-cup\nattempts:\n  1. sport 20:00 posted · msg-cup');
  });

  it('a channel\'s last error is shown while it has not posted, and not once it has', async () => {
    const t = commandSetup();
    await t.core.run(`channel add ${SPORT} name=sport`, CLI);
    await t.core.run(`queue channel=main,sport Derby | ${URL1}/derby`, CLI);
    t.db.prepare(`UPDATE article_channels SET last_error = 'rate limited' WHERE article_id = 1`).run();
    const c = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), { normal: ['main'], breakingOnly: [] }, () => 'Derby text');
    if (c?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(c.delivery.id, 'msg-derby', t.clock.now());
    t.db.prepare(`UPDATE article_channels SET last_error = 'rate limited' WHERE article_id = 1`).run();
    const text = (await t.core.run('show 1', CLI)).text;
    expect(text).toContain('\nchannels:\n  main: posted 20:00 · msg-derby\n  sport: queued · rate limited\n');
  });
});

describe('status', () => {
  it('no registry and nothing queued: no channel block', async () => {
    const t = commandSetup();
    t.ctx.channels = undefined;
    expect((await t.core.run('status', CLI)).text).not.toContain('Channels:');
  });

  it('deliveries for a channel no longer in the registry are still counted', async () => {
    const t = await withArticle();
    t.db.prepare(`UPDATE article_channels SET channel = 'gone'`).run();
    const status = await t.core.run('status', CLI);
    expect(status.status).toBe('ok');
    expect(status.text).toContain('\nChannels:\n  main: 0 queued, 0 posting, 0 posted, 0 failed, 0 cancelled\n  gone: 1 queued, 0 posting, 0 posted, 0 failed, 0 cancelled');
  });

  it('a channel wait that ends now is not shown', async () => {
    const now = Date.UTC(2026, 10, 26, 12, 0);
    const t = commandSetup({ waitingByChannel: { sport: { reason: 'gap', until: now, breakingMayGo: false } } });
    await t.core.run(`channel add ${SPORT} name=sport`, CLI);
    expect(t.clock.now()).toBe(now);
    expect((await t.core.run('status', CLI)).text).toMatch(/\n {2}sport: 0 queued, 0 posting, 0 posted, 0 failed, 0 cancelled$/);
  });
});

describe('channel', () => {
  it('the connected channel is in the data too', async () => {
    const t = commandSetup();
    expect((await t.core.run('channel', CLI)).data).toEqual({
      channel: { id: '120363000000000001@newsletter', name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaHarianNews0000000' },
    });
  });
});
