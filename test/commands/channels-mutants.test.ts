import { describe, expect, it } from 'vitest';
import { channelAddBody, channelsCommand } from '../../src/commands/handlers/channels.js';
import type { Actor } from '../../src/commands/types.js';
import { channelTargetOf } from '../../src/editions/channel-options.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { ChannelRegistryError } from '../../src/store/channels-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `channel …` and its API bodies: the refusals and answers mutation testing found unchecked (long
 * words cut, several problems at once, registry errors the admin can meet, the API without a registry).
 */
const CLI: Actor = { door: 'cli', id: 'cli:editor' };
const SPORT = '120363000000000002@newsletter';
const HINT = 'the fields are target, name, categories, feeds, gap, cap, quiet, digest, top, mode (and paused when changing)';

function setup() {
  const t = commandSetup();
  const feeds = createFeedStore(t.db);
  const feed = (n: number) =>
    feeds.insert({ url: `https://news.example.com/${n}.xml`, category: null, priority: 'normal', everyMinutes: 5, backfill: 0, maxPerPoll: 10, include: [], exclude: [] }, t.clock.now());
  const run = (command: string) => t.core.run(command, CLI);
  const problems = async (name: string, body: unknown) => ((await t.core.runStructured(name, body, CLI)).data.problems as { message: string }[]).map((p) => p.message);
  return { ...t, feed, run, problems };
}

describe('the channel API bodies (built once, on first use: this test is the first to build them in this file)', () => {
  it('each field says what is wrong with it', async () => {
    const t = setup();
    expect(await t.problems('channel-add', {})).toEqual(['target is required: the channel id (…@newsletter) or invite link', 'name is required: a short name such as sport']);
    const nope = channelTargetOf('nope');
    expect(await t.problems('channel-add', { target: 'nope', name: 'sport' })).toEqual(['problem' in nope ? `target: ${nope.problem}` : 'a problem']);
    expect(await t.problems('channel-add', { target: SPORT, name: 'Sport' })).toEqual([
      'name: "Sport" is not a short name; use 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter or digit, e.g. name=sport',
    ]);
    expect(await t.problems('channel-add', { target: SPORT, name: 'sport', gap: 'x'.repeat(501) })).toEqual(['gap: at most 500 characters']);
    // A list of more than 50 entries says so (it used to be zod's bare "Invalid input": the limit sat inside the union).
    expect(await t.problems('channel-add', { target: SPORT, name: 'sport', categories: Array.from({ length: 51 }, (_, i) => `c${i}`) })).toEqual(['categories: at most 50 entries']);
    expect(await t.problems('channel-add', { target: SPORT, name: 'sport', categories: 'c'.repeat(61) })).not.toContain('categories: at most 50 entries');
    const documented = (buildOpenApiDocument() as { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, { anyOf: { type: string; maxItems?: number }[] }> } }> } } }> }).paths['/api/channels']!.post.requestBody.content['application/json']!.schema.properties.categories!;
    expect(documented.anyOf.find((s) => s.type === 'array')!.maxItems).toBe(50);
    // 50 pass the body; the channel's own rule (at most 30 categories) answers them.
    expect((await t.core.runStructured('channel-add', { target: SPORT, name: 'sport', categories: Array.from({ length: 50 }, (_, i) => `c${i}`) }, CLI)).data.problems).toEqual(['categories=: at most 30 categories']);
    expect(await t.problems('channel-add', { target: SPORT, name: 'sport', colour: 'red' })).toEqual([`unknown field "colour": ${HINT}`]);
    expect(await t.problems('channel-add', 'sport')).toEqual([HINT]);
    // Our refusals are custom issues carrying the message as written.
    expect(channelAddBody().safeParse({ target: 'nope', name: 'Sport' }).error!.issues.map((i) => i.code)).toEqual(['custom', 'custom']);
    expect(await t.problems('channel-set', { name: 'main', paused: 'yes' })).toEqual(['paused must be true or false']);
    expect(await t.problems('channel-set', { name: 'main', colour: 'red' })).toEqual([`unknown field "colour": ${HINT.replace('target, name, ', '')}`]);
    // null categories mean "off": the channel takes every article again.
    await t.core.runStructured('channel-add', { target: SPORT, name: 'sport', categories: ['Sport'] }, CLI);
    expect((await t.core.runStructured('channel-set', { name: 'sport', categories: null }, CLI)).text).toBe(
      `Channel sport changed:\nsport · ${SPORT} · every article · gap 2m (default) · 20/h (default) · no quiet hours (default)`,
    );
  });
});

describe('channel: refusals', () => {
  it('every problem of the option words is named, not only the first', async () => {
    const t = setup();
    const add = await t.run(`channel add ${SPORT} name=sport gap=5m gap=6m colour=red`);
    expect(add.status).toBe('invalid');
    expect((add.data.problems as string[])[0]).toMatch(/gap= is given twice.*; .*colour/);
    await t.run(`channel add ${SPORT} name=sport`);
    const set = await t.run('channel set sport gap=5m gap=6m colour=red');
    expect((set.data.problems as string[])[0]).toBe((add.data.problems as string[])[0]);
  });

  it('every feed that does not exist is named', async () => {
    const t = setup();
    expect((await t.run(`channel add ${SPORT} name=sport feeds=98,99`)).data.problems).toEqual([
      'feeds=: there is no feed #98; "feeds" lists the ids',
      'feeds=: there is no feed #99; "feeds" lists the ids',
    ]);
    expect((await t.run(`channel add ${SPORT} name=sport feeds=98,99`)).text).toMatch(/^Channel not added: feeds=: there is no feed #98; "feeds" lists the ids; feeds=: there is no feed #99; /);
  });

  it('a word that only contains name= is not the name', async () => {
    const t = setup();
    const result = await t.run(`channel add ${SPORT} nickname=x name=sport`);
    expect(result.status).toBe('invalid');
    expect((result.data.problems as string[])[0]).toContain('nickname');
    expect(t.ctx.channels!.get('sport')).toBeUndefined();
    expect(await t.run(`channel add ${SPORT} categories=Sport`)).toMatchObject({
      status: 'invalid',
      data: { problems: ['channel add needs name=<short name>, e.g. name=sport: the name commands, templates and the outbox use'] },
    });
  });

  it('long left-over words and unknown names are cut in the answer', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    const long = 'x'.repeat(50);
    expect((await t.run(`channel remove sport ${long}`)).data.problems).toEqual([
      `"channel remove" takes the name and, to cancel its waiting posts, the word force; "${'x'.repeat(30)}" is left over`,
    ]);
    expect((await t.run(`channel pause sport ${long}`)).data.problems).toEqual([`"channel pause" takes only the channel's name; "${'x'.repeat(30)}" is left over`]);
    for (const command of [`channel set ${long} gap=5m`, `channel remove ${long}`]) {
      expect((await t.run(command)).text, command).toBe(`There is no channel "${'x'.repeat(40)}". "channel list" shows the channels.`);
    }
  });

  it('a name taken, and a channel with waiting posts, name the channel in the data', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    expect(await t.run('channel add 120363000000000009@newsletter name=sport')).toMatchObject({ reason: 'conflict', data: { channel: 'sport' } });
    t.ctx.queue.enqueue({ headline: 'Derby', url: 'https://news.example.com/derby' }, t.clock.now(), { channels: ['sport'] });
    expect(await t.run('channel remove sport')).toMatchObject({
      reason: 'conflict',
      text: expect.stringMatching(/ Let them go out first, or cancel them and remove the channel with "channel remove sport force"\.$/),
      data: { channel: 'sport' },
    });
  });
});

describe('channel: what the registry refuses while changing', () => {
  it('a pause the registry refuses is answered, and nothing else is done to the channel', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    const store = t.ctx.channels!;
    store.setPaused = () => {
      throw new ChannelRegistryError('posting', 'A post is going out on "sport" right now; try again in a moment.');
    };
    expect(await t.run('channel pause sport')).toMatchObject({ status: 'invalid', reason: 'conflict', text: 'A post is going out on "sport" right now; try again in a moment.', data: { channel: 'sport' } });
    expect(store.get('sport')).toBeDefined();
  });

  it('a change the registry refuses is answered', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    t.ctx.channels!.update = () => {
      throw new ChannelRegistryError('posting', 'busy');
    };
    expect(await t.run('channel set sport gap=5m')).toMatchObject({ status: 'invalid', reason: 'conflict', text: 'busy', data: { channel: 'sport' } });
  });

  it('an error that is not a refusal is not dressed up as one', async () => {
    const t = setup();
    Object.assign(t.ctx.channels!, {
      add: () => {
        throw new Error('disk I/O error');
      },
    });
    expect(await t.run(`channel add ${SPORT} name=sport`)).toMatchObject({ status: 'error', text: expect.stringContaining('disk I/O error') });
  });

  it('a change without paused keeps a paused channel paused', async () => {
    const t = setup();
    await t.run(`channel add ${SPORT} name=sport`);
    await t.run('channel pause sport');
    expect((await t.run('channel set sport gap=5m')).data).toMatchObject({ channel: { paused: true, pacing: { minGapMs: 300_000 } } });
    expect((await t.core.runStructured('channel-set', { name: 'sport', cap: 5 }, CLI)).data).toMatchObject({ channel: { paused: true } });
    expect(t.ctx.channels!.get('sport')!.paused).toBe(true);
  });

  it('the API without a registry says so', async () => {
    const t = setup();
    t.ctx.channels = undefined;
    expect(await t.core.runStructured('channel-add', { target: SPORT, name: 'sport' }, CLI)).toMatchObject({ status: 'invalid', text: 'The channel registry is not available here.' });
    expect(await t.core.runStructured('channel-set', { name: 'sport', gap: 60 }, CLI)).toMatchObject({ status: 'invalid', text: 'The channel registry is not available here.' });
  });
});

describe('channel: answers', () => {
  it('several feeds are listed with commas', async () => {
    const t = setup();
    const [a, b] = [t.feed(1), t.feed(2)];
    expect((await t.run(`channel add ${SPORT} name=sport feeds=${a.id},${b.id}`)).text).toBe(
      `Channel sport added:\nsport · ${SPORT} · feeds #${a.id}, #${b.id} · gap 2m (default) · 20/h (default) · no quiet hours (default)`,
    );
  });

  it('the parser reports its refusals as custom issues carrying the message', () => {
    const parsed = channelsCommand.args.safeParse('list all');
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toMatchObject([{ code: 'custom', message: '"channel list" takes nothing more' }]);
  });
});
