import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import type { Actor } from '../../src/commands/types.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * The read-only commands (list, show, status, log, channel, audit): the exact answers in the states the
 * older tests did not reach (paging, several channels, corrections, a bot that is away).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const URL1 = 'https://news.example.com/story';
const b64 = (text: string) => Buffer.from(text).toString('base64url');

async function withArticles(n: number) {
  const t = commandSetup();
  for (let i = 1; i <= n; i += 1) await t.core.run(`queue Story ${i} | ${URL1}/${i}`, CLI);
  const post = (messageId: string, finishedAt = t.clock.now()) => {
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (claim?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(claim.delivery.id, messageId, finishedAt);
    return claim;
  };
  return { ...t, post };
}

describe('list', () => {
  it('an empty answer names the filter, and says "on this page" when paging', async () => {
    const t = await withArticles(0);
    expect(await t.core.run('list', CLI)).toMatchObject({ text: 'No queued articles.', data: { filter: 'queued', articles: [], nextCursor: null } });
    expect((await t.core.run('list', CLI)).data).not.toHaveProperty('offset');
    expect((await t.core.run('list all', CLI)).text).toBe('No articles.');
    expect(await t.core.run('list posted --offset 5', CLI)).toMatchObject({ text: 'No posted articles on this page.', data: { offset: 5 } });
    expect((await t.core.run(`list --cursor ${b64('queued.1.1')}`, CLI)).text).toBe('No queued articles on this page.');
  });

  it('pages with --cursor, in each of its spellings, and offers the next page', async () => {
    const t = await withArticles(3);
    const first = await t.core.run('list queued 2', CLI);
    const next = first.data.nextCursor as string;
    expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(first.text.split('\n')).toEqual(['queued (2):', expect.stringMatching(/^#\d queued · Story \d$/), expect.stringMatching(/^#\d queued · Story \d$/), `more: list queued 2 --cursor ${next}`]);
    for (const spelling of [`--cursor ${next}`, `--cursor=${next}`, `cursor=${next}`, `CURSOR=${next}`]) {
      const rest = await t.core.run(`list queued 2 ${spelling}`, CLI);
      expect(rest).toMatchObject({ status: 'ok', data: { nextCursor: null } });
      expect(rest.text).toMatch(/^queued \(1\):\n#\d queued · Story \d$/);
    }
    const ids = [...(first.data.articles as { id: number }[]), ...((await t.core.run(`list queued 2 --cursor ${next}`, CLI)).data.articles as { id: number }[])].map((a) => a.id);
    expect(ids.sort()).toEqual([1, 2, 3]);
  });

  it('pages with --offset, in each of its spellings', async () => {
    const t = await withArticles(3);
    for (const spelling of ['--offset 2', '--offset=2', 'offset=2', '--OFFSET 2']) {
      expect(await t.core.run(`list 2 ${spelling}`, CLI)).toMatchObject({ status: 'ok', data: { offset: 2, articles: [expect.anything()] } });
    }
    expect((await t.core.run('list --offset 1000000000', CLI)).status).toBe('ok');
  });

  it.each([
    ['list --offset', 'the offset must be a whole number, e.g. --offset 100'],
    ['list --offset ten', 'the offset must be a whole number, e.g. --offset 100'],
    ['list --offset 1000000001', 'the offset must be a whole number, e.g. --offset 100'],
    ['list --offset 12345678901', 'the offset must be a whole number, e.g. --offset 100'],
    ['list --cursor', 'the cursor is missing: give the nextCursor of the previous page, e.g. --cursor cG9zdGVkLjE3LjQy'],
    ['list --cursor=', 'the cursor is missing: give the nextCursor of the previous page, e.g. --cursor cG9zdGVkLjE3LjQy'],
    ['list offset 5', '"offset" is neither a status (queued, scheduled, posted, failed, cancelled, all), a count, --offset <n> nor --cursor <c>'],
    ['list 5 6', '"6" is neither a status (queued, scheduled, posted, failed, cancelled, all), a count, --offset <n> nor --cursor <c>'],
    ['list 0', 'the count must be at least 1'],
    [`list --offset 1 --cursor ${b64('queued.1.1')}`, 'give --offset or --cursor, not both'],
    [`list posted --cursor ${b64('queued.1.1')}`, 'that cursor continues "list queued", not "list posted"'],
    ...['nope.1.1', 'queued.1.1x', '.queued.1.1', 'queued.1', 'queued.x.1', 'QUEUED.1.1'].map((raw) => [
      `list --cursor ${b64(raw)}`,
      'that cursor is not one a list answer gave (use its nextCursor as it is)',
    ]),
    ['list --cursor abc!', 'that cursor is not one a list answer gave (use its nextCursor as it is)'],
    [`list --cursor ${b64('queued.1.1')}==`, 'that cursor is not one a list answer gave (use its nextCursor as it is)'],
    [`list --cursor ${'A'.repeat(81)}`, 'that cursor is not one a list answer gave (use its nextCursor as it is)'],
  ])('%s is refused: %s', async (command, problem) => {
    const t = await withArticles(1);
    expect(await t.core.run(command, CLI)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
  });

  it('a cursor with a negative key is one a list answer can give', async () => {
    const t = await withArticles(1);
    expect((await t.core.run(`list all --cursor ${b64('all.-5.9')}`, CLI)).status).toBe('ok');
  });

  it('names the channels of an article that goes anywhere but the one default channel', async () => {
    const t = await withArticles(1);
    await t.core.run('channel add 120363000000000002@newsletter name=sport', CLI);
    await t.core.run(`queue channel=main,sport Derby | ${URL1}/derby`, CLI);
    await t.core.run(`queue channel=sport Cup | ${URL1}/cup`, CLI);
    const lines = (await t.core.run('list all', CLI)).text.split('\n');
    expect(lines).toContain('#1 queued · Story 1');
    expect(lines).toContain('#2 queued · Derby [main queued, sport queued]');
    expect(lines).toContain('#3 queued · Cup [sport queued]');
    const data = (await t.core.run('list all', CLI)).data.articles as { id: number; channels: unknown[] }[];
    expect(data.find((a) => a.id === 2)!.channels).toEqual([
      { channel: 'main', status: 'queued', attempts: 0, messageId: null, postedAt: null, lastError: null },
      { channel: 'sport', status: 'queued', attempts: 0, messageId: null, postedAt: null, lastError: null },
    ]);
  });
});

describe('show', () => {
  it('a queued article: its lines, no attempts, and no channel block on the one default channel', async () => {
    const t = await withArticles(1);
    const shown = await t.core.run('show 1', CLI);
    expect(shown.text).toBe(['#1 queued · Story 1', `source: cli:ops · link: ${URL1}/1`, '', `*Story 1*\n\n${URL1}/1`, '', 'no attempts yet'].join('\n'));
    expect(shown.data).toMatchObject({ channels: [{ channel: 'main', status: 'queued' }], deliveries: [] });
    expect(shown.data).not.toHaveProperty('versions');
    expect(await t.core.run('show 7', CLI)).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no article #7. Use "list all" to see ids.', data: { id: 7 } });
  });

  it('a failed attempt shows its error and the last error; an article that no longer formats says why', async () => {
    const t = await withArticles(1);
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (claim?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markFailed(claim.delivery.id, 'send timed out', t.clock.now() + 60_000, { final: true });
    t.db.prepare(`UPDATE articles SET url = ?`).run('ftp://news.example.com/story/1');
    const shown = await t.core.run('show 1', CLI);
    expect(shown.text).toContain('last error: send timed out');
    expect(shown.text).toContain('  1. 20:00 failed · send timed out');
    expect(shown.text).toContain('\n\n(cannot be formatted: link must start with http:// or https:// (got ftp:): use the story\'s web address)\n\n');
    expect(shown.data).toMatchObject({
      deliveries: [{ attempt: 1, status: 'failed', error: 'send timed out', startedAt: '2026-11-26T12:00:00.000Z', finishedAt: '2026-11-26T12:01:00.000Z', detail: null }],
    });
  });

  it('a delivery note (e.g. an image fallback) is shown after its attempt', async () => {
    const t = await withArticles(1);
    const claim = t.post('wamid.1');
    t.ctx.corrections!.store.noteDelivery(claim.delivery.id, 'image fallback: 404');
    const shown = await t.core.run('show 1', CLI);
    expect(shown.text).toContain('  1. 20:00 posted · wamid.1 · image fallback: 404');
    expect(shown.data).toMatchObject({ deliveries: [{ detail: 'image fallback: 404', messageId: 'wamid.1' }] });
  });

  it('an article on several channels shows each channel and names the channel of each attempt', async () => {
    const t = await withArticles(0);
    await t.core.run('channel add 120363000000000002@newsletter name=sport', CLI);
    await t.core.run(`queue channel=main,sport Derby | ${URL1}/derby`, CLI);
    const now = t.clock.now();
    const claim = t.ctx.queue.claimNext(now, now, { normal: ['sport'], breakingOnly: [] }, () => 'Derby text')!;
    if (claim.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(claim.delivery.id, 'msg-sport-1', now);
    const shown = await t.core.run('show 1', CLI);
    expect(shown.text).toContain('channels:\n  main: queued\n  sport: posted 20:00 · msg-sport-1');
    expect(shown.text).toContain('attempts:\n  1. sport 20:00 posted · msg-sport-1');
  });

  it('a corrected article lists every version and what became of each correction', async () => {
    const t = await withArticles(1);
    t.post('wamid.1');
    await t.core.run(`correct 1 Story one, corrected | Now with a summary | ${URL1}/1`, CLI);
    await t.core.run(`correct 1 Story one, again | ${URL1}/1`, CLI);
    const store = t.ctx.corrections!.store;
    const [first, second] = store.ofArticle(1);
    store.markDone(first!.id, 'edited', t.clock.now());
    store.markFollowingUp(second!.id, 'follow-up text', 'too old', t.clock.now());
    store.markDone(second!.id, 'followed-up', t.clock.now(), 'wamid.2');
    let shown = await t.core.run('show 1', CLI);
    expect(shown.text.slice(shown.text.indexOf('\n\nversions:\n')).split('\n')).toEqual([
      '',
      '',
      'versions:',
      `  v1 20:00 original · Story 1 | ${URL1}/1`,
      `  v2 20:00 cli:ops · Story one, corrected | Now with a summary | ${URL1}/1`,
      '     correction #1: edited wamid.1',
      `  v3 20:00 cli:ops · Story one, again | ${URL1}/1`,
      '     correction #2: follow-up wamid.2 (too old)',
    ]);
    expect(shown.text).toContain('     correction #2: follow-up wamid.2 (too old)');
    expect(shown.data).toMatchObject({
      versions: [{ version: 1, createdAt: '2026-11-26T12:00:00.000Z' }, { version: 2 }, { version: 3 }],
      corrections: [{ id: 1, status: 'edited', method: 'edit' }, { id: 2, status: 'followed-up', method: 'follow-up' }],
    });

    t.db.prepare(`UPDATE corrections SET reason = NULL WHERE id = 2`).run();
    expect((await t.core.run('show 1', CLI)).text).toContain('     correction #2: follow-up wamid.2 (not editable)');
    t.db.prepare(`UPDATE corrections SET status = 'failed', last_error = 'gone' WHERE id = 2`).run();
    expect((await t.core.run('show 1', CLI)).text).toContain('     correction #2: failed: gone');
    t.db.prepare(`UPDATE corrections SET status = 'pending', last_error = 'busy' WHERE id = 2`).run();
    expect((await t.core.run('show 1', CLI)).text).toContain('     correction #2: pending · busy');
    t.db.prepare(`UPDATE corrections SET status = 'editing', last_error = NULL WHERE id = 2`).run();
    shown = await t.core.run('show 1', CLI);
    expect(shown.text.endsWith('\n     correction #2: editing')).toBe(true);
  });

  it('without a corrections store, show still answers, with no versions', async () => {
    const t = await withArticles(1);
    t.ctx.corrections = undefined;
    const shown = await t.core.run('show 1', CLI);
    expect(shown.status).toBe('ok');
    expect(shown.text).not.toContain('versions:');
  });
});

describe('status', () => {
  it('a bot that is away: when it was last seen; a dry run is marked', async () => {
    const t = commandSetup({ running: false, heartbeatAt: Date.UTC(2026, 10, 26, 11, 0), dryRun: true });
    expect((await t.core.run('status', CLI)).text.split('\n')[0]).toBe('WhatsApp: bot not running (last seen 19:00) [dry run]');
    const never = commandSetup({ running: false, heartbeatAt: null });
    expect((await never.core.run('status', CLI)).text.split('\n')[0]).toBe('WhatsApp: bot not running');
  });

  it('the connection state with its detail, or "unknown" when there is none', async () => {
    const t = commandSetup({ channel: { state: 'waiting-for-login', since: 0, detail: 'scan the QR code' } });
    expect((await t.core.run('status', CLI)).text.split('\n')[0]).toBe('WhatsApp: waiting-for-login (scan the QR code)');
    const none = commandSetup({ channel: null });
    expect(await none.core.run('status', CLI)).toMatchObject({ text: expect.stringMatching(/^WhatsApp: unknown\n/), data: { channel: null } });
  });

  it('a wait that has passed is not shown; one still ahead is, with its end as an ISO time', async () => {
    const past = commandSetup({ waiting: { reason: 'gap', until: Date.UTC(2026, 10, 26, 12, 0), breakingMayGo: false } });
    expect(await past.core.run('status', CLI)).toMatchObject({ text: expect.stringContaining('\nPosting: on\n'), data: { waiting: null } });
    const ahead = commandSetup({ waiting: { reason: 'gap', until: Date.UTC(2026, 10, 26, 12, 5), breakingMayGo: false } });
    expect(await ahead.core.run('status', CLI)).toMatchObject({
      text: expect.stringContaining('\nPosting: waiting: gap until 20:05\n'),
      data: { waiting: { reason: 'gap', until: '2026-11-26T12:05:00.000Z' } },
    });
  });

  it('the next post and when: not before a later wake or release, nothing when it is now', async () => {
    const t = commandSetup({ nextWakeAt: Date.UTC(2026, 10, 26, 12, 10) });
    await t.core.run(`queue Story | ${URL1}`, CLI);
    expect(await t.core.run('status', CLI)).toMatchObject({
      text: expect.stringContaining('\nNext: #1 queued · Story (not before 20:10)'),
      data: { next: { article: { id: 1 }, notBefore: '2026-11-26T12:10:00.000Z' } },
    });
    const now = commandSetup({ nextWakeAt: null });
    await now.core.run(`queue Story | ${URL1}`, CLI);
    expect((await now.core.run('status', CLI)).text).toMatch(/\nNext: #1 queued · Story$/);
    await now.core.run('cancel 1', CLI);
    expect(await now.core.run('status', CLI)).toMatchObject({ text: expect.stringMatching(/\nNext: nothing queued$/), data: { next: null } });
  });

  it('the last post', async () => {
    const t = await withArticles(1);
    t.post('wamid.1');
    expect(await t.core.run('status', CLI)).toMatchObject({ text: expect.stringContaining('\nLast post: #1 posted 20:00 · Story 1\n'), data: { lastPost: { id: 1 } } });
  });

  it('several channels: a line each, with its counts, whether it is paused and why it waits', async () => {
    const t = commandSetup({ waitingByChannel: { sport: { reason: 'gap', until: Date.UTC(2026, 10, 26, 12, 3), breakingMayGo: false }, main: { reason: 'cap', until: 0, breakingMayGo: false } } });
    await t.core.run('channel add 120363000000000002@newsletter name=sport', CLI);
    await t.core.run('channel pause sport', CLI);
    await t.core.run(`queue channel=main,sport Derby | ${URL1}/derby`, CLI);
    const status = await t.core.run('status', CLI);
    expect(status.text.split('\n').slice(-3)).toEqual([
      'Channels:',
      '  main: 1 queued, 0 posting, 0 posted, 0 failed, 0 cancelled',
      '  sport PAUSED: 1 queued, 0 posting, 0 posted, 0 failed, 0 cancelled · waiting: gap until 20:03',
    ]);
    expect(status.data.channels).toMatchObject({ main: { queued: 1 }, sport: { queued: 1 } });
  });

  it('one channel that is not the default one is listed as well; the default alone is not', async () => {
    const t = commandSetup();
    await t.core.run(`queue Story | ${URL1}`, CLI);
    expect((await t.core.run('status', CLI)).text).not.toContain('Channels:');
    t.ctx.channels = undefined;
    t.db.prepare(`UPDATE article_channels SET channel = 'sport'`).run();
    expect((await t.core.run('status', CLI)).text).toMatch(/\nChannels:\n {2}sport: 1 queued/);
  });
});

describe('log, channel and audit', () => {
  it('log: an open attempt, an error, durations, and ISO times in the data', async () => {
    const t = await withArticles(2);
    t.post('wamid.1', t.clock.now() + 2500);
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    if (claim?.kind !== 'claimed') throw new Error('no claim');
    const log = await t.core.run('log', CLI);
    expect(log.text.split('\n').sort()).toEqual(['20:00 #1 try 1 posted (2.5 s) wamid.1', '20:00 #2 try 1 sending (open)'].sort());
    const rows = log.data.deliveries as { articleId: number; durationMs: number | null; finishedAt: string | null; startedAt: string }[];
    expect(rows.find((d) => d.articleId === 1)).toMatchObject({ durationMs: 2500, startedAt: '2026-11-26T12:00:00.000Z', finishedAt: '2026-11-26T12:00:02.500Z' });
    expect(rows.find((d) => d.articleId === 2)).toMatchObject({ durationMs: null, finishedAt: null });
    t.ctx.queue.markFailed(claim.delivery.id, 'timeout', t.clock.now() + 1000, { final: true });
    expect((await t.core.run('log', CLI)).text).toContain('#2 try 1 failed (1.0 s) · timeout');
    expect((await t.core.run('log 1', CLI)).data.deliveries).toHaveLength(1);
    expect((await commandSetup().core.run('log', CLI)).text).toBe('No delivery attempts yet.');
  });

  it('channel: before the bot has connected, and without an invite link', async () => {
    const t = commandSetup({ channelInfo: undefined });
    expect(await t.core.run('channel', CLI)).toMatchObject({ text: 'The channel is not known yet: the bot has not connected to WhatsApp.', data: { channel: null } });
    const noLink = commandSetup({ channelInfo: { id: '1@newsletter', name: 'Desk', inviteLink: null } });
    expect((await noLink.core.run('channel', CLI)).text).toBe('Desk\nid: 1@newsletter\nlink: (no invite link)');
  });

  it('audit: empty at first; each entry with time, door, actor, outcome and the command cut at 60 characters', async () => {
    const t = commandSetup();
    expect(await t.core.run('audit', CLI)).toMatchObject({ text: 'The audit log is empty.', data: { entries: [] } });
    await t.core.run(`queue ${'A long headline '.repeat(6)}| ${URL1}`, CLI);
    const audit = await t.core.run('audit 1', CLI);
    expect(audit.text).toBe(`20:00 cli cli:ops ok: ${`queue ${'A long headline '.repeat(6)}| ${URL1}`.slice(0, 60)}`);
    expect(audit.data.entries).toMatchObject([{ at: '2026-11-26T12:00:00.000Z', door: 'cli' }]);
  });
});
