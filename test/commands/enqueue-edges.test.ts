import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * Queueing from every door: image= and channel= on the text commands, the JSON article's checks
 * (the API's enqueue), and the reply for each outcome (found by mutation testing).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const API: Actor = { door: 'api', id: 'api' };
const URL1 = 'https://news.example.com/floods';
const IMG = 'https://news.example.com/photo.jpg';

async function withSport() {
  const t = commandSetup();
  await t.core.run('channel add 120363000000000002@newsletter name=sport categories=Sport', CLI);
  return t;
}

describe('image= and channel= on the text commands', () => {
  it.each([
    [`queue image=${IMG} Floods | ${URL1}`],
    [`queue Floods | ${URL1} image=${IMG}`],
    [`queue IMAGE=${IMG} Floods | ${URL1}`],
    [`queue   image=${IMG}   Floods | ${URL1}  `],
  ])('%s queues the article with its image', async (command) => {
    const t = commandSetup();
    expect(await t.core.run(command, CLI)).toMatchObject({ status: 'ok', data: { article: { headline: 'Floods', url: URL1, imageUrl: IMG } } });
  });

  it('channel= names the channels (case and repeats aside), before or after, with image= too', async () => {
    const t = await withSport();
    expect((await t.core.run(`queue channel=SPORT,main,sport Floods | ${URL1}/1`, CLI)).data.channels).toEqual(['main', 'sport']);
    const both = await t.core.run(`queue Floods | ${URL1}/2 channel=sport image=${IMG}`, CLI);
    expect(both.data).toMatchObject({ channels: ['sport'], article: { imageUrl: IMG } });
    expect(both.text).toBe('Queued #2 on sport: goes out at the next scheduled release.');
    expect((await t.core.run(`queue channel=main Floods | ${URL1}/3`, CLI)).text).toBe('Queued #3: goes out at the next scheduled release.');
  });

  it.each([
    [`queue image=${IMG} image=${IMG} Floods | ${URL1}`, 'image= is given twice: give it once'],
    [`queue channel=main channel=sport Floods | ${URL1}`, 'channel= is given twice: give it once, with the names separated by commas (channel=main,sport)'],
    [`queue image= Floods | ${URL1}`, "image= needs the image's link, e.g. image=https://news.example.com/photo.jpg"],
    [`queue channel= Floods | ${URL1}`, "channel= needs a channel's short name, e.g. channel=sport or channel=main,sport"],
    [`queue channel=,, Floods | ${URL1}`, 'channel= takes short channel names separated by commas (e.g. channel=main,sport); ",," is not one'],
    [`queue channel=main,sp!rt Floods | ${URL1}`, 'channel= takes short channel names separated by commas (e.g. channel=main,sport); "sp!rt" is not one'],
    [`queue image=ftp://news.example.com/p.jpg Floods | ${URL1}`, 'imageUrl must be a web link starting with http:// or https://'],
    [`queue image=${IMG} Floods only`, 'needs at least a headline and a link separated by |'],
  ])('%s is refused: %s', async (command, problem) => {
    const t = commandSetup();
    expect(await t.core.run(command, CLI)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
    expect(t.snapshot().articles).toEqual([]);
  });

  it('the words image= or channel= inside the headline are the headline\'s, also when the same option follows the link', async () => {
    const t = await withSport();
    expect((await t.core.run(`queue Why image=ok matters | ${URL1}/1`, CLI)).data).toMatchObject({ article: { headline: 'Why image=ok matters', imageUrl: null } });
    expect((await t.core.run(`queue Set channel=sport now | ${URL1}/2 channel=sport`, CLI)).data).toMatchObject({
      article: { headline: 'Set channel=sport now' },
      channels: ['sport'],
    });
  });

  it('channel= skips empty names between commas and refuses a name that does not start with a letter or digit', async () => {
    const t = await withSport();
    expect((await t.core.run(`queue channel=main,,sport Floods | ${URL1}`, CLI)).data.channels).toEqual(['main', 'sport']);
    expect(await t.core.run(`queue channel=-sport Floods | ${URL1}/2`, CLI)).toMatchObject({
      status: 'invalid',
      data: { problems: ['channel= takes short channel names separated by commas (e.g. channel=main,sport); "-sport" is not one'] },
    });
  });

  it('an unknown channel is refused with the known ones, and nothing is queued', async () => {
    const t = await withSport();
    expect(await t.core.run(`queue channel=ghost Floods | ${URL1}`, CLI)).toMatchObject({
      status: 'invalid',
      text: 'No channel named "ghost": the channels are main, sport (see "channel list"; add one with "channel add").',
      data: { field: 'channel', known: ['main', 'sport'] },
    });
    expect(t.snapshot().articles).toEqual([]);
  });
});

describe('help for the queueing commands', () => {
  it.each([
    [
      'queue',
      'queue [image=<url>] [channel=<names>] <headline> | <summary> | <link>\nqueue a normal article; it goes out at the next scheduled release (with image=, as that image with the text as caption)\nexample: queue Flood waters rise in Kelantan | Thousands moved to relief centres | https://news.example.com/floods',
    ],
    [
      'breaking',
      'breaking [image=<url>] [channel=<names>] <headline> | <summary> | <link>\nqueue a breaking alert, ahead of everything, out as soon as pacing allows\nexample: breaking Earthquake hits Sabah | Magnitude 6.1, no tsunami warning | https://news.example.com/quake',
    ],
    [
      'schedule',
      'schedule <when> [image=<url>] [channel=<names>] <headline> | <summary> | <link>\npost at a time: 18:30 (next occurrence), +45m, or 2026-12-01T08:00\nexample: schedule 18:30 Budget 2027 explained | What changes for you | https://news.example.com/budget',
    ],
  ])('help %s', async (name, text) => {
    expect((await commandSetup().core.run(`help ${name}`, CLI)).text).toBe(text);
  });
});

describe('the replies', () => {
  it('schedule says Scheduled, with the channels when not only the default one', async () => {
    const t = await withSport();
    expect((await t.core.run(`schedule +1h channel=main,sport Budget | ${URL1}`, CLI)).text).toBe('Scheduled #1 on main, sport: goes out at 21:00.');
    expect((await t.core.run(`schedule +1h Budget | ${URL1}/2`, ADMIN)).text).toBe('Scheduled #2: goes out at 21:00.\nYou will get a message when it is posted.');
    expect(await t.core.run(`schedule 25:99 Budget | ${URL1}/3`, CLI)).toMatchObject({ status: 'invalid', data: { field: 'when' } });
    expect((await t.core.run('schedule', CLI)).data.problems).toContain('needs a time');
  });

  it('a breaking article queued from the API: no receipt line; an existing one answers with its stored text', async () => {
    const t = commandSetup();
    const first = await t.core.runStructured('enqueue', { headline: 'Quake', url: URL1, priority: 'breaking' }, API);
    expect(first).toMatchObject({
      status: 'ok',
      text: 'Queued #1 ⚡ BREAKING: goes out as soon as pacing allows.',
      data: { outcome: 'created', channels: ['main'], text: `*🔴 BREAKING: Quake*\n\n${URL1}` },
    });
    const wakes = t.wakes();
    const again = await t.core.runStructured('enqueue', { headline: 'Other', url: URL1 }, API);
    expect(again).toMatchObject({ data: { outcome: 'existing', text: `*🔴 BREAKING: Quake*\n\n${URL1}` } });
    expect(t.wakes()).toBe(wakes);
  });

  it('an existing article whose stored text no longer formats answers with the request text', async () => {
    const t = commandSetup();
    await t.core.run(`queue Quake | ${URL1}`, CLI);
    t.db.prepare(`UPDATE articles SET headline = ''`).run();
    expect((await t.core.run(`queue Quake again | ${URL1}`, CLI)).data).toMatchObject({ outcome: 'existing', text: `*Quake again*\n\n${URL1}` });
  });
});

describe('the JSON article (the API)', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0);
  const problems = async (body: unknown) => {
    const t = await withSport();
    const result = await t.core.runStructured('enqueue', body, API);
    expect(result.status).toBe('invalid');
    return (result.data.problems as { field: string; message: string }[]).map((p) => p.message);
  };
  const accepted = async (body: Record<string, unknown>) => {
    const t = await withSport();
    const result = await t.core.runStructured('enqueue', { headline: 'Floods', url: URL1, ...body }, API);
    expect(result.status, JSON.stringify(result)).toBe('ok');
    return result;
  };

  it('null means absent for the optional fields', async () => {
    const result = await accepted({ summary: null, imageUrl: null, category: null, priority: null, channels: null, publishAt: null });
    expect(result.data).toMatchObject({ article: { priority: 'normal', summary: '', imageUrl: null, category: null, timed: false }, channels: ['main'] });
  });

  it('channels: trimmed, lower-cased and deduplicated', async () => {
    expect((await accepted({ channels: [' Sport ', 'sport', 'MAIN'] })).data.channels).toEqual(['main', 'sport']);
    expect((await accepted({ channels: Array.from({ length: 50 }, () => 'sport') })).data.channels).toEqual(['sport']);
  });

  it('publishAt: up to a year ahead (366 days), strictly in the future', async () => {
    expect((await accepted({ publishAt: new Date(now + 366 * 86_400_000).toISOString() })).data).toMatchObject({ article: { timed: true } });
    expect(await problems({ headline: 'x', url: URL1, publishAt: new Date(now + 366 * 86_400_000 + 1000).toISOString() })).toEqual(['publishAt is more than a year ahead']);
    expect(await problems({ headline: 'x', url: URL1, publishAt: new Date(now).toISOString() })).toEqual([
      'publishAt is not in the future: leave it out to post at the next release, or give a later time',
    ]);
  });

  it('priority "normal" is accepted', async () => {
    expect((await accepted({ priority: 'normal' })).data).toMatchObject({ article: { priority: 'normal' } });
  });

  it.each([
    [{ headline: 5, url: URL1 }, ['headline must be a string']],
    [{ headline: 'x', url: URL1, imageUrl: 5 }, ['imageUrl must be a string']],
    [{ headline: 'x', url: URL1, channels: ['-sport'] }, ['channels.0: channels must be short channel names, e.g. ["main", "sport"]']],
    [{ headline: 'x', url: URL1, channels: ['sport!'] }, ['channels.0: channels must be short channel names, e.g. ["main", "sport"]']],
    [{ headline: 'x', url: 5 }, ['url must be a string']],
    [{ headline: 'x', url: URL1, category: 5 }, ['category must be a string']],
    [{ headline: 'x', url: URL1, channels: [] }, ['channels must name at least one channel; leave it out to route the article by its category and feed']],
    [{ headline: 'x', url: URL1, channels: Array.from({ length: 51 }, (_, i) => `c${i}`) }, ['channels names at most 50 channels']],
    [{ headline: 'x', url: URL1, channels: 'main' }, ['channels must be an array of channel names, e.g. ["main", "sport"]']],
    [{ headline: 'x', url: URL1, channels: [5] }, ['channels.0: channels must be short channel names, e.g. ["main", "sport"]']],
    [{ headline: 'x', url: URL1, channels: ['main', 'sp ort'] }, ['channels.1: channels must be short channel names, e.g. ["main", "sport"]']],
    [{ headline: 'x', url: URL1, publishAt: 5 }, ['publishAt must be a date-time string, e.g. 2026-12-01T08:00:00Z or 2026-12-01T16:00:00+08:00']],
    [{ headline: 'x', url: URL1, publishAt: '2026-12-01T08:00:00' }, ['publishAt must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T08:00:00Z or 2026-12-01T16:00:00+08:00']],
    [{ headline: 'x', url: URL1, channel: ['main'] }, ['unknown field "channel": the fields are headline, summary, url, priority, publishAt, category, imageUrl, channels']],
    ['Floods', ['the body must be a JSON object with the fields headline, summary, url, priority, publishAt, category, imageUrl, channels']],
  ])('refuses %j', async (body, messages) => {
    expect(await problems(body)).toEqual(messages);
  });
});
