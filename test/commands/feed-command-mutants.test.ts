import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { startFeedServer } from '../feeds/support/feed-server.js';
import { item, rss } from '../feeds/support/feed-setup.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * `feed` and `feeds` in the cases the older tests left out (found by mutation testing): each refusal's
 * exact words, every option's effect on the stored feed, each kind of poll report, the feed list's
 * lines, and the data each reply carries.
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const OPTIONS = 'category=… priority=… every=… backfill=… cap=… include=… exclude=…';

async function withFeed(items = [item(1), item(2)], options = '') {
  const t = commandSetup();
  const server = await startFeedServer();
  const url = server.serve('/news.rss', { body: rss(items) });
  const added = await t.core.run(`feed add ${url}${options ? ` ${options}` : ''}`, ADMIN);
  return { ...t, server, url, added };
}

const feedRow = (t: ReturnType<typeof commandSetup>) =>
  t.db.prepare('SELECT * FROM feeds ORDER BY id').get() as Record<string, unknown> | undefined;

describe('feed: refusals, word for word', () => {
  it.each([
    ['feed', '"" is not a feed action: use add, remove, pause, resume or poll'],
    ['feed abcdefghijklmnopqrstuvwxyz 1', '"abcdefghijklmnopqrst" is not a feed action: use add, remove, pause, resume or poll'],
    ['feed remove 1 2', 'feed remove needs a feed id such as 3 (see "feeds")'],
    ['feed pause x1', 'feed pause needs a feed id such as 3 (see "feeds")'],
    ['feed resume 1x', 'feed resume needs a feed id such as 3 (see "feeds")'],
    ['feed add https://example.com/rss every=10x', 'every= needs a whole number, e.g. every=10'],
    ['feed add https://example.com/rss every=x10', 'every= needs a whole number, e.g. every=10'],
    ['feed add https://example.com/rss backfill=some', 'backfill= needs a whole number, e.g. backfill=10'],
    ['feed add https://example.com/rss cap=lots', 'cap= needs a whole number, e.g. cap=10'],
    ['feed add https://example.com/rss colour=red', `"colour=red" is not an option: use ${OPTIONS} or force`],
    ['feed add https://example.com/rss category', `"category" is not an option: use ${OPTIONS} or force`],
    ['feed add https://example.com/rss =World', `"=World" is not an option: use ${OPTIONS} or force`],
    ['feed add https://example.com/rss category=', `"category=" is not an option: use ${OPTIONS} or force`],
    [`feed add https://example.com/rss ${'x'.repeat(40)}=1`, `"${'x'.repeat(30)}" is not an option: use ${OPTIONS} or force`],
  ])('%s', async (command, problem) => {
    const t = commandSetup();
    const result = await t.core.run(command, ADMIN);
    expect(result).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
    expect(feedRow(t)).toBeUndefined();
  });

  it('empty words between commas are dropped (the feed settings refuse an empty word)', async () => {
    const { added } = await withFeed(undefined, 'include=flood,,rain');
    expect(added.status).toBe('ok');
    expect(added.data).toMatchObject({ feed: { include: ['flood', 'rain'] } });
  });

  it('a feed settings refusal carries its problem and the usage', async () => {
    const t = commandSetup();
    const result = await t.core.run('feed add https://example.com/rss every=0', ADMIN);
    expect(result).toMatchObject({ status: 'invalid', data: { problems: ['feed settings: every must be at least 1 minute'] } });
    expect(result.text).toBe(`feed settings: every must be at least 1 minute\nusage: ${(await t.core.run('help feed', CLI)).text.split('\n')[0]}`);
  });

  it('a failing store while adding is an error, not bad input', async () => {
    const t = commandSetup();
    t.ctx.feeds = { ...t.ctx.feeds, add: async () => Promise.reject(new Error('database is locked')) };
    expect(await t.core.run('feed add https://example.com/rss', ADMIN)).toMatchObject({ status: 'error', data: { error: 'database is locked' } });
  });

  it.each(['remove', 'pause', 'resume'])('feed %s of an unknown feed says so and names the id', async (action) => {
    const t = commandSetup();
    expect(await t.core.run(`feed ${action} 12`, ADMIN)).toEqual({
      status: 'invalid',
      reason: 'not-found',
      text: 'There is no feed #12. Send "feeds" to see them.',
      data: { id: 12 },
    });
  });
});

describe('feed add: each option lands in the stored feed', () => {
  it('priority (any case), cap, backfill, include and exclude', async () => {
    const t = await withFeed([1, 2, 3, 4].map((n) => item(n)), 'priority=BREAKING cap=3 backfill=1 include=Flood,rain exclude=sport every=15');
    expect(t.added.status).toBe('ok');
    expect(t.added.data).toMatchObject({
      feed: { priority: 'breaking', maxPerPoll: 3, backfill: 1, include: ['flood', 'rain'], exclude: ['sport'], everyMinutes: 15 },
      poll: { status: 'polled', itemsInFeed: 4 },
    });
    expect(t.added.text.split('\n')[0]).toBe(`Added feed #1 (Test feed), polled every 15 min.`);
  });

  it('the reply to an existing feed carries it', async () => {
    const t = await withFeed();
    expect(await t.core.run(`feed add ${t.url}`, ADMIN)).toMatchObject({ status: 'invalid', data: { feed: { id: 1, url: t.url } } });
  });

  it('a refused feed: the reason once, no advertised feed line, and the data', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/down.rss', { body: 'oops', status: 500, contentType: 'text/plain' });
    const refused = await t.core.run(`feed add ${url}`, ADMIN);
    const reason = (refused.data as { problems: string[] }).problems[0]!;
    expect(reason).toMatch(/HTTP 500/);
    expect(refused).toEqual({
      status: 'invalid',
      reason: 'bad-input',
      text: `Not added: ${reason}.\nIf the feed is only down for now, add it anyway with "feed add ${url} force": it is retried with back-off.`,
      data: { url, kind: 'http-status', problems: [reason], advertisedFeed: null },
    });
  });
});

describe('feed poll: each kind of report', () => {
  it('nothing skipped: no brackets; the data carries the report', async () => {
    const t = await withFeed([item(1)]);
    t.server.serve('/news.rss', { body: rss([item(1), item(2)]) });
    const polled = await t.core.run('feed poll 1', ADMIN);
    expect(polled.text).toBe('2 items: 1 queued, 1 already known, 0 skipped.\n  #1 Story number 2');
    expect(polled.data).toMatchObject({ poll: { status: 'polled', feedId: 1, itemsInFeed: 2 } });
  });

  it('several skip reasons, comma-separated', async () => {
    const t = await withFeed([item(1)], 'exclude=flood');
    t.server.serve('/news.rss', { body: rss([item(1), item(2, { title: 'Flood warning' }), item(3), item(3, { guid: 'again' })]) });
    expect((await t.core.run('feed poll 1', ADMIN)).text).toBe('4 items: 1 queued, 1 already known, 2 skipped (1 duplicate, 1 filtered).\n  #1 Story number 3');
  });

  it('ten queued stories are all listed; past ten, the rest are counted', async () => {
    const t = await withFeed([item(0)], 'cap=50');
    const ten = Array.from({ length: 10 }, (_, i) => item(i + 1));
    t.server.serve('/news.rss', { body: rss([item(0), ...ten]) });
    const first = (await t.core.run('feed poll 1', ADMIN)).text.split('\n');
    expect(first).toHaveLength(11);
    expect(first.at(-1)).toBe('  #10 Story number 10');
    const twelve = Array.from({ length: 12 }, (_, i) => item(i + 11));
    t.server.serve('/news.rss', { body: rss([item(0), ...ten, ...twelve]) });
    const second = (await t.core.run('feed poll 1', ADMIN)).text.split('\n');
    expect(second).toHaveLength(12);
    expect(second[0]).toBe('23 items: 12 queued, 11 already known, 0 skipped.');
    expect(second.slice(-2)).toEqual(['  #20 Story number 20', '  … and 2 more']);
  });

  it('at most three warnings, each marked', async () => {
    const t = await withFeed([item(1)]);
    const broken = [2, 3, 4, 5, 6].map((n) => item(n).replace('</description>', '</descriptio>'));
    t.server.serve('/news.rss', { body: rss([item(1), ...broken]) });
    const polled = await t.core.run('feed poll 1', ADMIN);
    const all = (polled.data as { poll: { warnings: string[] } }).poll.warnings;
    expect(all.length).toBeGreaterThan(3);
    expect(polled.text.split('\n').filter((l) => l.startsWith('warning: '))).toEqual(all.slice(0, 3).map((w) => `warning: ${w}`));
  });

  it('an unchanged feed (304) says nothing is new', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/etag.rss', { body: rss([item(1)]), etag: '"v1"' });
    await t.core.run(`feed add ${url}`, ADMIN);
    expect(await t.core.run('feed poll 1', ADMIN)).toMatchObject({
      status: 'ok',
      text: 'Nothing new: the feed has not changed since the last poll.',
      data: { poll: { status: 'not-modified', feedId: 1 } },
    });
  });

  it('a poll cut short by the service stopping says so', async () => {
    const t = await withFeed([item(1)]);
    let answered!: () => void;
    const asked = new Promise<void>((resolve) => (answered = resolve));
    t.server.route('/news.rss', () => answered()); // never answers
    const polling = t.core.run('feed poll 1', ADMIN);
    await asked;
    await t.ctx.feeds.stop();
    expect((await polling).text).toBe('The poll was stopped: the feed service is stopping.');
  });
});

describe('feeds: one line per feed', () => {
  it('a plain feed has no extras; category and breaking are joined by a comma; feeds are one per line', async () => {
    const t = await withFeed();
    const server = t.server;
    const other = server.serve('/other.rss', { body: rss([item(9)]) });
    await t.core.run(`feed add ${other} category=Sport priority=breaking every=10`, ADMIN);
    const listed = await t.core.run('feeds', ADMIN);
    expect(listed.text).toBe(
      '#1 Test feed · every 5 min · last ok 20:00 · next 20:05\n#2 Test feed · every 10 min · category Sport, breaking · last ok 20:00 · next 20:10',
    );
    expect((listed.data as { feeds: { id: number }[] }).feeds.map((f) => f.id)).toEqual([1, 2]);
  });

  it('a feed not polled yet, and a failing one without a recorded error', async () => {
    const t = commandSetup();
    t.ctx.feeds.seed(['https://news.example.com/a.rss', 'https://news.example.com/b.rss']);
    t.db.prepare('UPDATE feeds SET consecutive_failures = 2, last_error = NULL WHERE id = 2').run();
    expect((await t.core.run('feeds', ADMIN)).text.split('\n')).toEqual([
      '#1 https://news.example.com/a.rss · every 5 min · not polled yet · next 20:00',
      '#2 https://news.example.com/b.rss · every 5 min · failing ×2: error · next try 20:00',
    ]);
  });

  it('resume makes a paused feed active again; remove, pause and resume carry the feed', async () => {
    const t = await withFeed();
    expect((await t.core.run('feed pause 1', ADMIN)).data).toMatchObject({ feed: { id: 1, health: 'paused' } });
    expect((await t.core.run('feed resume 1', ADMIN)).data).toMatchObject({ feed: { id: 1, health: 'ok' } });
    expect((await t.core.run('feeds', ADMIN)).text).not.toMatch(/paused/);
    expect((await t.core.run('feed remove 1', ADMIN)).data).toMatchObject({ feed: { id: 1 } });
  });
});

describe('help for the feed commands', () => {
  it.each([
    ['feeds', 'feeds\nevery feed with its last success, last error and next poll\nexample: feeds'],
    [
      'feed',
      'feed add <url> [category=<name>] [priority=breaking] [every=<minutes>] [backfill=<n>] [cap=<n>] [include=a,b] [exclude=c] [force]  |  feed remove|pause|resume|poll <id>\n' +
        'manage feeds: add (reads it at once, refused if that fails unless force; current stories are only marked seen unless backfill=n), remove, pause, resume, poll now\n' +
        'example: feed add https://example.com/rss category=World every=10',
    ],
  ])('help %s', async (name, text) => {
    expect((await commandSetup().core.run(`help ${name}`, CLI)).text).toBe(text);
  });
});
