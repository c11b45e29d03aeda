import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  about,
  API_TOKEN,
  browsersUsing,
  CHANNEL,
  cleanUp,
  cliBreaking,
  cliShow,
  msg,
  prepareRealWhatsApp,
  startAndScan,
  type FakePage,
  type RealBot,
  type RealSetup,
} from '../helpers/real-whatsapp.js';

/**
 * The connection's life through the real whatsapp-web.js, one bot configured with the channel's invite
 * link: the browser killed, the connection taken over elsewhere, the phone logging the bot out.
 */
describe('real whatsapp-web.js: browser crash, disconnect and logout', { timeout: 90_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let profile: string;
  let bot: RealBot;
  let fake: FakePage;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-'));
    setup = await prepareRealWhatsApp(root, { target: 'invite' });
    profile = path.join(setup.dataDir, 'session', 'session');
    ({ bot, fake } = await startAndScan(setup));
  }, 90_000);

  afterAll(() => cleanUp({ bot, fake, setup, root }));

  const readyCount = () => bot.count(msg(/^WhatsApp ready: posting to/));

  it('finds the channel by its invite link', async () => {
    const ready = await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'ready');
    expect(ready.json?.channel).toMatchObject({ id: CHANNEL.id, name: CHANNEL.name, inviteLink: `https://whatsapp.com/channel/${CHANNEL.inviteCode}` });
  });

  it('Chromium killed: the adapter notices, launches a new one, logged in from the profile, and posting resumes', async () => {
    const [browser] = browsersUsing(profile);
    expect(browser).toBeDefined();
    const before = readyCount();
    const from = bot.lines.length;
    process.kill(browser!, 'SIGKILL');
    await bot.waitForLine(msg(/^Chromium exited unexpectedly/), 'the crash noticed');
    await bot.waitForLine((l) => readyCount() > before && msg(/^WhatsApp ready/)(l), 'ready again');
    expect(bot.count(msg(/^WhatsApp needs a login/), from)).toBe(0);
    const id = await cliBreaking(setup.env(), 'After the browser crash | Resumed | https://example.com/crash');
    await bot.waitForLine(about(id, 'posted'), 'posted after the crash');
    expect((await fake.call('serverPosts')).filter((p) => p.body.includes('After the browser crash'))).toHaveLength(1);
  });

  it('the WhatsApp Web tab crashed (renderer gone, browser alive): the adapter rebuilds the browser and posting resumes', async () => {
    const before = readyCount();
    const page = await fake.page();
    const session = await page.context().newCDPSession(page);
    await session.send('Page.crash').catch(() => undefined); // the answer never comes: the tab is gone
    await fake.close();
    await bot.waitForLine(msg(/^the WhatsApp Web page crashed/), 'the page crash noticed');
    await bot.waitForLine((l) => readyCount() > before && msg(/^WhatsApp ready/)(l), 'ready again');
    const id = await cliBreaking(setup.env(), 'After the page crash | Resumed | https://example.com/page-crash');
    await bot.waitForLine(about(id, 'posted'), 'posted after the page crash');
  });

  it('the connection taken over elsewhere (CONFLICT): disconnected, reconnected, posting resumes', async () => {
    const before = readyCount();
    await fake.call('setSocketState', 'CONFLICT');
    await bot.waitForLine(msg(/^WhatsApp disconnected \(CONFLICT\)/), 'the disconnect');
    await bot.waitForLine((l) => readyCount() > before && msg(/^WhatsApp ready/)(l), 'ready again');
    const id = await cliBreaking(setup.env(), 'After the conflict | Resumed | https://example.com/conflict');
    await bot.waitForLine(about(id, 'posted'), 'posted after the reconnect');
  });

  it('logged out from the phone: posting stops, the queue is kept, a new QR code follows, and a scan resumes posting', async () => {
    const from = bot.lines.length;
    await fake.call('logout');
    await bot.waitForLine(msg(/^WhatsApp session logged out; posting stopped/), 'the logout');
    const id = await cliBreaking(setup.env(), 'Queued while logged out | Waits | https://example.com/waits');
    const state = await fake.until(() => fake.call('state'), (s) => s.qr !== null && !s.paired, 'a new QR code in a fresh page');
    await bot.waitForLine((l) => bot.lines.indexOf(l) >= from && msg(/^WhatsApp session lost: posting is paused/)(l), 'the session-lost prompt');
    const view = (await (await fetch(`${await bot.httpUrl()}/login/state`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { state: string; qr: string | null };
    expect(view).toMatchObject({ state: 'waiting-for-login', qr: expect.stringMatching(/^data:image\/png;base64,/) });
    expect(state.qr).not.toBeNull();
    expect((await cliShow(setup.env(), id)).article.status).toBe('queued');

    await fake.call('scan');
    await bot.waitForLine(about(id, 'posted'), 'posted after the new scan');
    expect((await fake.call('serverPosts')).filter((p) => p.body.includes('Queued while logged out'))).toHaveLength(1);
  });
});
