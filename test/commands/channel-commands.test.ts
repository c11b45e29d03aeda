import { describe, expect, it } from 'vitest';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

const CLI = { door: 'cli' as const, id: 'cli:editor' };
const MAIN = '120363000000000001@newsletter';
const SPORT = 'https://whatsapp.com/channel/0029VaSport000000000000';

function setup() {
  const t = commandSetup();
  const feed = createFeedStore(t.db).insert(
    { url: 'https://news.example.com/sport.xml', category: null, priority: 'normal', everyMinutes: 5, backfill: 0, maxPerPoll: 10, include: [], exclude: [] },
    t.clock.now(),
  );
  const rows = () => t.db.prepare('SELECT * FROM channels ORDER BY name').all();
  return { ...t, feed, rows };
}

describe('channel commands', () => {
  it('channel add registers a channel with filters, pacing and a digest; channel list shows it after the config channel', async () => {
    const t = setup();
    const added = await t.core.run(
      `channel add ${SPORT} name=sport categories=Sport,World_Cup feeds=${t.feed.id} gap=5m cap=10/h quiet=23:00-7:00 digest=18:00,8:00 top=3 mode=instead`,
      ADMIN,
    );
    expect(added.status).toBe('ok');
    expect(added.data.channel).toEqual({
      name: 'sport', target: SPORT, categories: ['Sport', 'World Cup'], feeds: [t.feed.id], paused: false,
      pacing: { minGapMs: 300_000, maxPerHour: 10, quietHours: '23:00-07:00' },
      digest: { times: ['08:00', '18:00'], top: 3, mode: 'instead' }, isDefault: false,
    });
    expect(t.wakes()).toBe(1);
    const list = await t.core.run('channel list', CLI);
    expect(list.text).toBe(
      [
        'Channels (2):',
        `• main (default) · ${MAIN} · every article · gap 2m (default) · 20/h (default) · no quiet hours (default)`,
        `• sport · ${SPORT} · categories Sport, World Cup; feeds #${t.feed.id} · gap 5m · 10/h · quiet 23:00-07:00 · digest 08:00,18:00 top 3 instead`,
      ].join('\n'),
    );
    expect((list.data.channels as { name: string }[]).map((c) => c.name)).toEqual(['main', 'sport']);
  });

  it('refuses bad input with what was wrong and how to fix it, and writes nothing', async () => {
    const t = setup();
    await t.core.run(`channel add ${SPORT} name=sport`, ADMIN);
    const before = t.rows();
    const cases: [string, RegExp, string?][] = [
      ['channel add 12345@newsletter name=x', /is not a channel: give its id \(digits then @newsletter/],
      ['channel add https://whatsapp.com/channel/abc name=x', /not a whole channel invite link/],
      ['channel add 120363000000000009@newsletter', /needs name=<short name>/],
      ['channel add 120363000000000009@newsletter name=Sport!', /"Sport!" is not a short name/],
      ['channel add 120363000000000009@newsletter name=biz feeds=99', /there is no feed #99; "feeds" lists the ids/],
      ['channel add 120363000000000009@newsletter name=biz feeds=a', /"a" is not a feed id/],
      ['channel add 120363000000000009@newsletter name=biz gap=soon cap=lots quiet=late digest=noon mode=often top=0', /gap=: "soon".*cap=: "lots".*quiet=: "late".*digest=: "noon".*top=: "0".*mode=: "often"/],
      ['channel add 120363000000000009@newsletter name=biz top=5', /^Channel not added: top= and mode= belong to a digest/],
      ['channel set sport top=5', /^Channel not changed: top= and mode= belong to a digest/],
      ['channel add 120363000000000009@newsletter name=biz colour=red', /"colour=red" is not an option/],
      ['channel add 120363000000000009@newsletter name=sport', /already a channel named "sport"/, 'conflict'],
      ['channel add 120363000000000009@newsletter name=main', /already a channel named "main"/, 'conflict'],
      [`channel add ${SPORT} name=biz`, /already registered as "sport"/, 'conflict'],
      [`channel add ${MAIN} name=biz`, /already registered as "main"/, 'conflict'],
      ['channel set ghost gap=5m', /There is no channel "ghost"/, 'not-found'],
      ['channel set sport', /needs at least one key=value/],
      ['channel pause', /needs the channel's short name/],
      ['channel remove main', /set by NEWSDESK_CHANNEL and cannot be removed; pause it instead/, 'conflict'],
      ['channel rename sport', /"rename" is not a channel action/],
    ];
    for (const [command, message, reason] of cases) {
      const result = await t.core.run(command, ADMIN);
      expect(result.status, command).toBe('invalid');
      expect(result.text, command).toMatch(message);
      if (reason) expect(result.reason, command).toBe(reason);
    }
    expect(t.rows()).toEqual(before);
  });

  it('pause, resume and set change one channel; set merges a digest and returns values to the defaults', async () => {
    const t = setup();
    await t.core.run(`channel add ${SPORT} name=sport digest=08:00`, ADMIN);
    expect((await t.core.run('channel pause sport', ADMIN)).text).toBe('Channel sport paused: nothing is posted there until "channel resume".');
    expect(t.ctx.channels!.get('sport')!.paused).toBe(true);
    expect(t.ctx.channels!.get('main')!.paused).toBe(false);
    await t.core.run('channel resume sport', ADMIN);
    expect(t.ctx.channels!.get('sport')!.paused).toBe(false);

    await t.core.run('channel set sport top=7 gap=90 quiet=off', ADMIN);
    expect(t.ctx.channels!.get('sport')).toMatchObject({ digest: { times: ['08:00'], top: 7, mode: 'besides' }, pacing: { minGapMs: 90_000, quietHours: null } });
    await t.core.run('channel set sport gap=default digest=off categories=Sport', ADMIN);
    expect(t.ctx.channels!.get('sport')).toMatchObject({ digest: null, categories: ['Sport'], pacing: { minGapMs: 120_000 } });

    // The config channel's own settings are a row of its own.
    const main = await t.core.run('channel set main cap=5 per-hour=6', ADMIN);
    expect(main.text).toMatch(/cap= is given twice/);
    await t.core.run('channel pause main', ADMIN);
    expect(t.ctx.channels!.list()[0]).toMatchObject({ name: 'main', paused: true, isDefault: true });
  });

  it('channel remove removes an added channel; "channel" alone still shows the connected one', async () => {
    const t = setup();
    await t.core.run(`channel add ${SPORT} name=sport`, ADMIN);
    const removed = await t.core.run('channel remove sport', ADMIN);
    expect(removed.text).toBe('Channel sport removed. What it posted stays in the log.');
    expect(t.rows()).toEqual([]);
    expect((await t.core.run('channel remove sport', ADMIN)).reason).toBe('not-found');
    expect((await t.core.run('channel', ADMIN)).text).toBe('Harian News\nid: 120363000000000001@newsletter\nlink: https://whatsapp.com/channel/0029VaHarianNews0000000');
  });

  it('channel remove refuses while posts wait there; force cancels them (on that channel only) with the channel', async () => {
    const t = setup();
    await t.core.run(`channel add ${SPORT} name=sport`, ADMIN);
    const now = t.clock.now();
    const both = t.ctx.queue.enqueue({ headline: 'Both', url: 'https://news.example.com/both' }, now, { channels: ['main', 'sport'] }).article.id;
    const only = t.ctx.queue.enqueue({ headline: 'Sport only', url: 'https://news.example.com/sport' }, now, { channels: ['sport'] }).article.id;
    const refused = await t.core.run('channel remove sport', ADMIN);
    expect(refused).toMatchObject({ status: 'invalid', reason: 'conflict' });
    expect(refused.text).toBe('"sport" has 2 posts waiting. Let them go out first, or cancel them and remove the channel with "channel remove sport force".');
    expect(t.ctx.channels!.get('sport')).toBeDefined();

    t.db.prepare(`UPDATE article_channels SET status = 'posting' WHERE article_id = ? AND channel = 'sport'`).run(only);
    expect((await t.core.run('channel remove sport force', ADMIN)).text).toBe('A post to "sport" is going out right now; try again in a minute.');
    t.db.prepare(`UPDATE article_channels SET status = 'queued' WHERE article_id = ? AND channel = 'sport'`).run(only);

    const forced = await t.core.run('channel remove sport force', ADMIN);
    expect(forced.text).toBe('Channel sport removed. 2 waiting posts were cancelled there. What it posted stays in the log.');
    expect(t.ctx.channels!.get('sport')).toBeUndefined();
    expect(t.ctx.queue.channelsOf(both).map((c) => [c.channel, c.status])).toEqual([['main', 'queued'], ['sport', 'cancelled']]);
    expect(t.ctx.queue.get(both)!.status).toBe('queued');
    expect(t.ctx.queue.get(only)!.status).toBe('cancelled');
  });

  it('a channel added later has its own template (editions ask the registry for the names at each use)', async () => {
    const t = setup();
    t.ctx.editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: () => t.ctx.channels!.list().map((c) => c.name) });
    expect((await t.core.run('template set sport ⚽ {{headline}} {{link}}', ADMIN)).text).toMatch(/There is no channel "sport"/);
    await t.core.run(`channel add ${SPORT} name=sport`, ADMIN);
    expect((await t.core.run('template set sport ⚽ {{headline}} {{link}}', ADMIN)).status).toBe('ok');
    expect(t.ctx.editions.defaultChannel).toBe('main');
  });

  it('the JSON forms (the HTTP API) take the same fields and report every problem by field', async () => {
    const t = setup();
    const bad = await t.core.runStructured('channel-add', { target: 'nope', name: 'Sport', gap: 'x', colour: 'red' }, ADMIN);
    expect(bad.status).toBe('invalid');
    expect((bad.data.problems as { field: string }[]).map((p) => p.field).sort()).toEqual(['colour', 'name', 'target']);
    const added = await t.core.runStructured('channel-add', { target: SPORT, name: 'sport', categories: ['Sport'], cap: 4, digest: ['08:00'], top: 2 }, ADMIN);
    expect(added.status).toBe('ok');
    expect(added.data.channel).toMatchObject({ categories: ['Sport'], pacing: { maxPerHour: 4 }, digest: { times: ['08:00'], top: 2, mode: 'besides' } });
    const set = await t.core.runStructured('channel-set', { name: 'sport', paused: true, cap: null, categories: null }, ADMIN);
    expect(set.data.channel).toMatchObject({ paused: true, categories: null, pacing: { maxPerHour: 20 } });
  });
});
