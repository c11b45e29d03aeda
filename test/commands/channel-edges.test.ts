import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `channel …` and the channel API bodies: the exact answers and refusals the older tests left out
 * (found by mutation testing).
 */
const CLI: Actor = { door: 'cli', id: 'cli:editor' };
const MAIN = '120363000000000001@newsletter';
const SPORT = '120363000000000002@newsletter';

function setup() {
  const t = commandSetup();
  const feed = createFeedStore(t.db).insert(
    { url: 'https://news.example.com/sport.xml', category: null, priority: 'normal', everyMinutes: 5, backfill: 0, maxPerPoll: 10, include: [], exclude: [] },
    t.clock.now(),
  );
  const run = (command: string) => t.core.run(command, CLI);
  return { ...t, feed, run };
}

describe('channel: what each answer says', () => {
  it('add and set answer with the channel line; seconds, no cap, paused and the defaults are marked', async () => {
    const t = setup();
    const wakes = t.wakes();
    const added = await t.run(`channel add ${SPORT} NAME=sport gap=90 cap=0 feeds=${t.feed.id}`);
    expect(added).toMatchObject({ status: 'ok', text: `Channel sport added:\nsport · ${SPORT} · feeds #${t.feed.id} · gap 90s · no hourly cap · no quiet hours (default)` });
    expect(t.wakes()).toBe(wakes + 1);
    const set = await t.run('channel set sport gap=0 quiet=22:00-06:00 categories=Sport');
    expect(set.text).toBe(`Channel sport changed:\nsport · ${SPORT} · categories Sport; feeds #${t.feed.id} · gap 0s · no hourly cap · quiet 22:00-06:00`);
    expect(t.wakes()).toBe(wakes + 2);
    await t.run('channel pause sport');
    expect((await t.run('channel list')).text.split('\n')[2]).toBe(`• ⏸ sport · ${SPORT} · categories Sport; feeds #${t.feed.id} · gap 0s · no hourly cap · quiet 22:00-06:00 · paused`);
    expect(await t.run('channel resume sport')).toMatchObject({ text: 'Channel sport resumed: posting there goes on.', data: { channel: { paused: false } } });
    expect(t.wakes()).toBe(wakes + 4);
  });

  it('a digest gets top 5 and mode besides by default; new times keep top and mode, a new mode keeps the times', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport digest=08:00`);
    expect(t.ctx.channels!.get('sport')!.digest).toEqual({ times: ['08:00'], top: 5, mode: 'besides' });
    await t.run('channel set sport top=3 mode=instead');
    await t.run('channel set sport digest=09:00,19:00');
    expect(t.ctx.channels!.get('sport')!.digest).toEqual({ times: ['09:00', '19:00'], top: 3, mode: 'instead' });
    await t.run('channel set sport mode=besides');
    expect(t.ctx.channels!.get('sport')!.digest).toEqual({ times: ['09:00', '19:00'], top: 3, mode: 'besides' });
    expect(await t.run('channel set sport digest=off')).toMatchObject({ status: 'ok', data: { channel: { digest: null } } });
    expect((await t.run('channel set sport cap=3')).data).toMatchObject({ channel: { digest: null, pacing: { maxPerHour: 3 } } });
  });

  it('a set that also pauses (the API) pauses, and one that repeats the state changes nothing else', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    expect((await t.core.runStructured('channel-set', { name: 'sport', paused: true }, CLI)).data).toMatchObject({ channel: { paused: true } });
    expect((await t.core.runStructured('channel-set', { name: 'sport', paused: true, gap: 60 }, CLI)).data).toMatchObject({ channel: { paused: true, pacing: { minGapMs: 60_000 } } });
    expect((await t.core.runStructured('channel-set', { name: 'sport', paused: false }, CLI)).data).toMatchObject({ channel: { paused: false } });
    expect((await t.core.runStructured('channel-set', { name: 'sport', gap: 120 }, CLI)).data).toMatchObject({ channel: { paused: false } });
  });

  it('remove with force: one waiting post, and none', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    await t.run('channel add 120363000000000003@newsletter name=biz');
    t.ctx.queue.enqueue({ headline: 'Derby', url: 'https://news.example.com/derby' }, t.clock.now(), { channels: ['sport'] });
    expect(await t.run('channel remove sport FORCE')).toMatchObject({
      text: 'Channel sport removed. 1 waiting post was cancelled there. What it posted stays in the log.',
      data: { channel: 'sport', removed: true, cancelled: 1 },
    });
    expect(await t.run('channel remove biz force')).toMatchObject({ text: 'Channel biz removed. What it posted stays in the log.', data: { cancelled: 0 } });
  });

  it('refusals from the registry say what to do next', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    expect(await t.run(`channel add ${SPORT} name=biz`)).toMatchObject({
      reason: 'conflict',
      text: 'That channel is already registered as "sport". One WhatsApp channel is registered once; change its filters with "channel set".',
      data: { channel: 'biz' },
    });
    expect(await t.run('channel add 120363000000000009@newsletter name=sport')).toMatchObject({
      reason: 'conflict',
      text: 'There is already a channel named "sport". Pick another name=, or change that channel with "channel set sport …".',
    });
    expect(await t.run('channel remove main')).toMatchObject({ reason: 'conflict', text: '"main" is the channel set by NEWSDESK_CHANNEL and cannot be removed; pause it instead.', data: { channel: 'main' } });
    for (const command of ['channel remove ghost', 'channel pause ghost', 'channel set ghost gap=5m']) {
      expect(await t.run(command), command).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no channel "ghost". "channel list" shows the channels.', data: { channel: 'ghost' } });
    }
    expect(await t.run(`channel set sport feeds=99`)).toMatchObject({
      status: 'invalid',
      text: expect.stringMatching(/^Channel not changed: feeds=: there is no feed #99; "feeds" lists the ids\nusage: channel \[list\]/),
      data: { problems: ['feeds=: there is no feed #99; "feeds" lists the ids'] },
    });
    expect(await t.run(`channel add 120363000000000009@newsletter name=biz feeds=98`)).toMatchObject({ text: expect.stringMatching(/^Channel not added: feeds=: there is no feed #98/) });
    expect(await t.run('channel add 120363000000000009@newsletter name=biz mode=instead')).toMatchObject({
      text: 'Channel not added: top= and mode= belong to a digest: give its times too, e.g. digest=08:00,18:00 top=5',
      data: { problems: ['top= and mode= belong to a digest: give its times too, e.g. digest=08:00,18:00 top=5'] },
    });
  });

  it.each([
    ['channel list all', '"channel list" takes nothing more'],
    ['channel add', 'channel add needs the channel id or invite link, then name=<short name>'],
    [`channel add ${SPORT} name=`, 'channel add needs name=<short name>, e.g. name=sport: the name commands, templates and the outbox use'],
    [`channel add ${SPORT} name=sport gap=5m gap=6m`, expect.stringContaining('gap= is given twice')],
    ['channel set sport gap=5m gap=6m', expect.stringContaining('gap= is given twice')],
    ['channel remove', "channel remove needs the channel's short name (see \"channel list\")"],
    ['channel remove sport now', '"channel remove" takes the name and, to cancel its waiting posts, the word force; "now" is left over'],
    ['channel remove sport force now', '"channel remove" takes the name and, to cancel its waiting posts, the word force; "force now" is left over'],
    ['channel pause sport now please', '"channel pause" takes only the channel\'s name; "now please" is left over'],
    ['channel resume sport x', '"channel resume" takes only the channel\'s name; "x" is left over'],
    ['channel rename-everything-at-once-now x', '"rename-everything-at" is not a channel action: use list, add, set, pause, resume, remove'],
  ])('%s is refused: %s', async (command, problem) => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    expect(await t.run(command)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
  });

  it('upper-case actions work', async () => {
    const t = setup();
    expect((await t.run(`CHANNEL ADD ${SPORT} name=sport`)).status).toBe('ok');
    expect((await t.run('channel PAUSE sport')).text).toBe('Channel sport paused: nothing is posted there until "channel resume".');
    expect((await t.run('channel LIST')).text).toMatch(/^Channels \(2\):/);
    expect((await t.run('channel REMOVE sport')).status).toBe('ok');
  });

  it('without a registry every action but the connected channel says so', async () => {
    const t = setup();
    t.ctx.channels = undefined;
    for (const command of ['channel list', `channel add ${SPORT} name=sport`, 'channel set sport gap=5m', 'channel pause sport', 'channel remove sport']) {
      expect(await t.run(command), command).toMatchObject({ status: 'invalid', text: 'The channel registry is not available here.' });
    }
    expect(await t.core.query('desk-channels', {}, CLI)).toMatchObject({ status: 'invalid', text: 'The channel registry is not available here.' });
    expect((await t.run('channel')).text).toMatch(/^Harian News\n/);
  });
});

describe('the channel API bodies and the desk page', () => {
  it('array values are joined, null means default (or off for lists), numbers are read as words', async () => {
    const t = setup();
    const added = await t.core.runStructured('channel-add', { target: SPORT, name: 'sport', categories: ['Sport', 'Cup'], feeds: [t.feed.id], gap: '5m', cap: 4, quiet: '23:00-07:00', digest: ['08:00', '18:00'], top: 2, mode: 'instead' }, CLI);
    expect(added.data.channel).toMatchObject({
      categories: ['Sport', 'Cup'],
      feeds: [t.feed.id],
      pacing: { minGapMs: 300_000, maxPerHour: 4, quietHours: '23:00-07:00' },
      digest: { times: ['08:00', '18:00'], top: 2, mode: 'instead' },
    });
    const reset = await t.core.runStructured('channel-set', { name: 'sport', categories: null, feeds: null, gap: null, cap: null, quiet: null, digest: null }, CLI);
    expect(reset.data.channel).toMatchObject({ categories: null, feeds: null, digest: null, pacing: { minGapMs: 120_000, maxPerHour: 20 } });
    expect(t.ctx.channels!.stored('sport')).toMatchObject({ minGapSeconds: null, maxPerHour: null, quietHours: null });
  });

  it.each([
    [{ name: 'sport' }, 'target is required: the channel id (…@newsletter) or invite link'],
    [{ target: SPORT }, 'name is required: a short name such as sport'],
    [{ target: 'nope', name: 'sport' }, expect.stringMatching(/^target: /)],
    [{ target: SPORT, name: 'Sport' }, 'name: "Sport" is not a short name; use 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter or digit, e.g. name=sport'],
    [{ target: SPORT, name: 'sport', gap: 'x'.repeat(501) }, 'gap: at most 500 characters'],
    [{ target: SPORT, name: 'sport', colour: 'red' }, expect.stringContaining('the fields are target, name, categories, feeds, gap, cap, quiet, digest, top, mode (and paused when changing)')],
  ])('channel-add refuses %j', async (body, message) => {
    const t = setup();
    const result = await t.core.runStructured('channel-add', body, CLI);
    expect(result.status).toBe('invalid');
    expect((result.data.problems as { message: string }[]).map((p) => p.message)).toContainEqual(message);
  });

  it('channel-set refuses a paused that is not a boolean, an unknown field, and a name past 40 characters', async () => {
    const t = setup();
    const messages = async (body: unknown) => ((await t.core.runStructured('channel-set', body, CLI)).data.problems as { message: string }[]).map((p) => p.message);
    expect(await messages({ name: 'main', paused: 'yes' })).toEqual(['paused must be true or false']);
    expect((await messages({ name: 'main', colour: 'red' }))[0]).toContain('the fields are categories, feeds, gap, cap, quiet, digest, top, mode (and paused when changing)');
    expect(await messages({ name: 'x'.repeat(41) })).toHaveLength(1);
  });

  it('desk-channels: every channel with its line and how many posts wait there', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    t.ctx.queue.enqueue({ headline: 'Derby', url: 'https://news.example.com/derby' }, t.clock.now(), { channels: ['sport'] });
    const page = await t.core.query('desk-channels', {}, CLI);
    expect(page.text).toBe('2 channels');
    expect(page.data.channels).toMatchObject([
      { name: 'main', waiting: 0, line: `main (default) · ${MAIN} · every article · gap 2m (default) · 20/h (default) · no quiet hours (default)` },
      { name: 'sport', waiting: 1, line: `sport · ${SPORT} · every article · gap 2m (default) · 20/h (default) · no quiet hours (default)` },
    ]);
  });
});
