import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeChannel, ServerPost } from '../fake-whatsapp-web/control.js';
import { runCli } from '../helpers/processes.js';
import {
  about,
  browsersUsing,
  CHANNEL,
  cleanUp,
  cliShow,
  connectFake,
  msg,
  prepareRealWhatsApp,
  spawnRealBot,
  startAndScan,
  type BotLine,
  type FakePage,
  type RealBot,
  type RealSetup,
} from '../helpers/real-whatsapp.js';

/**
 * A second channel the account is an admin of. WhatsApp Web has not loaded it at sync (`synced: false`):
 * the library finds it through its invite code and loadNewsletterPreviewChat, as a channel joined lately.
 */
const SPORT: FakeChannel = { id: '120363000000000002@newsletter', name: 'Harian Test Sukan', inviteCode: '0029VaFakeChannel000002', role: 'admin', synced: false };

/** The text the default template gives a breaking article. */
const breakingText = (headline: string, summary: string, url: string) => `*🔴 BREAKING: ${headline}*\n\n${summary}\n\n${url}`;

/** Posts on one channel whose text contains `text`. */
const onChannel = (posts: ServerPost[], text: string) => posts.filter((p) => p.body.includes(text));

/**
 * Several channels with the real whatsapp-web.js 1.34.7 in Chromium, against a fake WhatsApp Web that
 * knows two channels, each with its own posts on the (fake) server. The built bot starts on the default
 * channel (NEWSDESK_CHANNEL); the second is registered with the CLI's `channel add` while it runs.
 * One bot and one browser for the whole file, in order.
 */
describe('real whatsapp-web.js: two channels', { timeout: 90_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let bot: RealBot;
  let fake: FakePage;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-channels-'));
    setup = await prepareRealWhatsApp(root, { fake: { channels: [SPORT] } });
  });

  afterAll(async () => {
    await cleanUp({ bot, fake, setup, root });
  });

  const cli = async (args: string[]) => {
    const result = await runCli(['--json', ...args], setup.env());
    expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const queueBreaking = async (channels: string, headline: string, summary: string, url: string) =>
    ((await cli(['breaking', `channel=${channels}`, `${headline} | ${summary} | ${url}`])) as { article: { id: number } }).article.id;
  /** The dispatcher's confirmed post (after the read-back found it) of article `id` on `channel`. */
  const postedOn = (id: number, channel: string) => (l: BotLine) => about(id, 'posted')(l) && l.json?.channel === channel;

  const DERBY = ['Derby ends 2-2', 'Late equaliser at Bukit Jalil', 'https://example.com/derby'] as const;
  const LEAGUE = ['League table after week 9', 'Sport channel only', 'https://example.com/table'] as const;
  const BUDGET = ['Budget tabled', 'Main channel only', 'https://example.com/budget'] as const;
  let both: number;
  let sportOnly: number;
  let mainOnly: number;
  let derbyMain: ServerPost;
  let derbySport: ServerPost;

  it('starts on the default channel, and channel add registers the second one by its invite link', async () => {
    ({ bot, fake } = await startAndScan(setup));
    await cli(['channel', 'add', `https://whatsapp.com/channel/${SPORT.inviteCode}`, 'name=sport']);
    const listed = (await cli(['channel', 'list'])) as { channels: { name: string; target: string; isDefault: boolean }[] };
    expect(listed.channels.map((c) => [c.name, c.target, c.isDefault])).toEqual([
      ['main', CHANNEL.id, true],
      ['sport', `https://whatsapp.com/channel/${SPORT.inviteCode}`, false],
    ]);
    // Nothing was loaded for it yet: the page knows it only once the bot asks.
    expect(await fake.call('pagePosts', SPORT.id)).toEqual([]);
  });

  it('each channel gets exactly the posts routed to it, once, each confirmed by reading that channel back', async () => {
    both = await queueBreaking('main,sport', ...DERBY);
    sportOnly = await queueBreaking('sport', ...LEAGUE);
    mainOnly = await queueBreaking('main', ...BUDGET);
    const confirmed = {
      bothMain: await bot.waitForLine(postedOn(both, 'main'), 'the derby confirmed on main'),
      bothSport: await bot.waitForLine(postedOn(both, 'sport'), 'the derby confirmed on sport'),
      sportOnly: await bot.waitForLine(postedOn(sportOnly, 'sport'), 'the league table confirmed on sport'),
      mainOnly: await bot.waitForLine(postedOn(mainOnly, 'main'), 'the budget confirmed on main'),
    };

    const main = await fake.call('serverPosts', CHANNEL.id);
    const sport = await fake.call('serverPosts', SPORT.id);
    // Exactly its posts on each channel: the derby on both, the league table on sport only, the budget on main only.
    expect(main.map((p) => p.body).sort()).toEqual([breakingText(...BUDGET), breakingText(...DERBY)]);
    expect(sport.map((p) => p.body).sort()).toEqual([breakingText(...DERBY), breakingText(...LEAGUE)]);
    expect(onChannel(main, LEAGUE[0])).toEqual([]);
    expect(onChannel(sport, BUDGET[0])).toEqual([]);
    expect(await fake.call('serverPosts')).toHaveLength(4);

    // The message ids the bot recorded are the posts on the channel each delivery names.
    derbyMain = onChannel(main, DERBY[0])[0]!;
    derbySport = onChannel(sport, DERBY[0])[0]!;
    expect(derbyMain.id).not.toBe(derbySport.id);
    expect(derbyMain.id).toContain(CHANNEL.id);
    expect(derbySport.id).toContain(SPORT.id);
    expect(confirmed.bothMain.json?.messageId).toBe(derbyMain.id);
    expect(confirmed.bothSport.json?.messageId).toBe(derbySport.id);
    expect(confirmed.sportOnly.json?.messageId).toBe(onChannel(sport, LEAGUE[0])[0]!.id);
    expect(confirmed.mainOnly.json?.messageId).toBe(onChannel(main, BUDGET[0])[0]!.id);

    // `show` (the delivery rows): posted on each channel with that channel's message id, one attempt each.
    const shown = (await cli(['show', String(both)])) as { article: { status: string }; channels: { channel: string; status: string; attempts: number; messageId: string | null }[] };
    expect(shown.article.status).toBe('posted');
    expect(shown.channels).toEqual([
      expect.objectContaining({ channel: 'main', status: 'posted', attempts: 1, messageId: derbyMain.id }),
      expect.objectContaining({ channel: 'sport', status: 'posted', attempts: 1, messageId: derbySport.id }),
    ]);
    expect((await cliShow(setup.env(), sportOnly)).deliveries).toEqual([expect.objectContaining({ status: 'posted', messageId: onChannel(sport, LEAGUE[0])[0]!.id })]);
    expect((await cliShow(setup.env(), mainOnly)).deliveries).toEqual([expect.objectContaining({ status: 'posted', messageId: onChannel(main, BUDGET[0])[0]!.id })]);

    // The page keeps each post in its own channel's chat.
    expect((await fake.call('pagePosts', SPORT.id)).map((p) => p.id).sort()).toEqual(sport.map((p) => p.id).sort());
    expect((await fake.call('pagePosts', CHANNEL.id)).map((p) => p.id).sort()).toEqual(main.map((p) => p.id).sort());
    // Nothing was sent twice or failed on the way.
    expect(bot.count(msg('attempt failed; will retry'))).toBe(0);
  });

  it('a correction of the article on both channels edits both posts (Message.edit), each confirmed by read-back', async () => {
    const fixed = ['Derby ends 2-2 after VAR review', 'Late equaliser stands', DERBY[2]] as const;
    await cli(['correct', String(both), fixed.join(' | ')]);
    await bot.waitForLine((l) => msg('post edited')(l) && l.json?.messageId === derbyMain.id, 'the main post edited');
    await bot.waitForLine((l) => msg('post edited')(l) && l.json?.messageId === derbySport.id, 'the sport post edited');

    const main = await fake.call('serverPosts', CHANNEL.id);
    const sport = await fake.call('serverPosts', SPORT.id);
    expect(main.find((p) => p.id === derbyMain.id)).toMatchObject({ body: breakingText(...fixed), edits: 1 });
    expect(sport.find((p) => p.id === derbySport.id)).toMatchObject({ body: breakingText(...fixed), edits: 1 });
    // Edited in place: no follow-up, nothing else touched.
    expect(main).toHaveLength(2);
    expect(sport).toHaveLength(2);
    expect([...main, ...sport].filter((p) => p.edits !== undefined).map((p) => p.id).sort()).toEqual([derbyMain.id, derbySport.id].sort());

    const shown = (await cli(['show', String(both)])) as { corrections: { channel: string; status: string; messageId: string }[] };
    expect(shown.corrections.map((c) => [c.channel, c.status, c.messageId]).sort()).toEqual(
      [
        ['main', 'edited', derbyMain.id],
        ['sport', 'edited', derbySport.id],
      ].sort(),
    );
  });

  it('SIGKILLed inside the sport send of an article for both channels (the server took it): restarted, sport is read back and each channel has it exactly once', async () => {
    const CRASH = ['Stadium roof collapses', 'No one hurt', 'https://example.com/roof'] as const;
    const profile = path.join(setup.dataDir, 'session', 'session');
    // Its send to sport waits after the server took the post, before the page hears back.
    await fake.call('holdSends', { match: CRASH[0], times: 1, stage: 'after-server', channel: SPORT.id });
    const id = await queueBreaking('main,sport', ...CRASH);
    await fake.until(() => fake.call('heldSends'), (held) => held.length === 1, 'the send held after the server took it');
    await fake.close();
    await bot.kill('SIGKILL');
    await fake.until(async () => browsersUsing(profile), (pids) => pids.length === 0, 'the browser gone with the bot');

    bot = spawnRealBot(setup.env());
    fake = connectFake(setup.port);
    // The open attempt on sport is settled by reading sport back (found there); main's post goes out if it had not.
    const reconciled = await bot.waitForLine((l) => l.json?.articleId === id && msg('reconciled: found on the channel')(l), 'the held post found after the restart');
    type Shown = { channels: { channel: string; status: string; messageId: string | null }[] };
    const shown = await fake.until(
      async () => (await cli(['show', String(id)])) as Shown,
      (s) => s.channels.every((c) => c.status === 'posted'),
      'the article posted on both channels',
    );
    expect(bot.count(msg(/^WhatsApp needs a login/))).toBe(0);

    const main = onChannel(await fake.call('serverPosts', CHANNEL.id), CRASH[0]);
    const sport = onChannel(await fake.call('serverPosts', SPORT.id), CRASH[0]);
    expect(main).toHaveLength(1);
    expect(sport).toHaveLength(1);
    expect(reconciled.json?.messageId).toBe(sport[0]!.id);
    expect(shown.channels).toEqual([
      expect.objectContaining({ channel: 'main', status: 'posted', messageId: main[0]!.id }),
      expect.objectContaining({ channel: 'sport', status: 'posted', messageId: sport[0]!.id }),
    ]);
    // Nothing else came twice: the earlier posts are still one each.
    expect(await fake.call('serverPosts', CHANNEL.id)).toHaveLength(3);
    expect(await fake.call('serverPosts', SPORT.id)).toHaveLength(3);
  });
});
