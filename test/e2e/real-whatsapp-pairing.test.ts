import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../fake-whatsapp-web/build.js';
import {
  about,
  API_TOKEN,
  CHANNEL,
  cleanUp,
  cliBreaking,
  connectFake,
  msg,
  prepareRealWhatsApp,
  spawnRealBot,
  type FakePage,
  type RealBot,
  type RealSetup,
} from '../helpers/real-whatsapp.js';

const BOT_PHONE = DEFAULT_OPTIONS.account.phone;

/**
 * A first start that pairs by phone code (NEWSDESK_PAIRING_NUMBER) instead of a QR code, through the
 * real whatsapp-web.js (`pairWithPhoneNumber` → `requestPairingCode` → the page's
 * WAWebAltDeviceLinkingApi): the code is shown where an operator looks (the terminal, the log, /login)
 * and never on the unauthenticated /readyz; the phone enters it and the bot becomes ready and posts.
 */
describe('real whatsapp-web.js: first start with phone-code pairing', { timeout: 60_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let bot: RealBot;
  let fake: FakePage;
  /** The code as the product shows it (`ABCD-EFGH`). */
  let shown: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-pair-'));
    setup = await prepareRealWhatsApp(root);
    bot = spawnRealBot(setup.env({ NEWSDESK_PAIRING_NUMBER: `+${BOT_PHONE}` }));
    fake = connectFake(setup.port);
  });

  afterAll(() => cleanUp({ bot, fake, setup, root }));

  it('the library asks the page for a code for the configured number; no QR code is offered', async () => {
    const state = await fake.until(() => fake.call('state'), (s) => s.pairingCode !== null, 'a pairing code in the page');
    expect(state.pairingPhone).toBe(BOT_PHONE);
    shown = `${state.pairingCode!.slice(0, 4)}-${state.pairingCode!.slice(4)}`;
    await bot.waitForLine(msg(/^WhatsApp pairing code: /), 'the pairing-code log line');
    expect(bot.count(msg(/^WhatsApp needs a login: scan the QR code/))).toBe(0);
  });

  it('the code is in the terminal, the log and /login, and not on /readyz', async () => {
    expect(bot.lines.some((l) => l.raw.includes(`WhatsApp pairing code: ${shown}`) && l.json === null)).toBe(true); // the framed terminal line
    expect(bot.lines.some((l) => l.json?.code === shown)).toBe(true);

    const url = await bot.httpUrl();
    const state = (await (await fetch(`${url}/login/state`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { code: string | null; qr: string | null };
    expect(state).toMatchObject({ code: shown, qr: null });
    // The HTML page, as a person opens it: the token is swapped for a cookie, then the page has the code.
    const opened = await fetch(`${url}/login?token=${API_TOKEN}`, { redirect: 'manual' });
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await fetch(`${url}/login`, { headers: { cookie } })).text()).toContain(shown);

    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    const body = await readyz.text();
    expect(body).not.toContain(shown);
    expect(body).not.toContain(shown.replace('-', ''));
  });

  it('a wrong code does not link the phone', async () => {
    // Straight through the page: fake.call retries a throwing call until its deadline.
    const page = await fake.page();
    const error = await page.evaluate(() => window.fakeWhatsApp.enterPairingCode('AAAA-AAAA').then(() => null, (e: Error) => e.message));
    expect(error).toMatch(/wrong pairing code/);
    expect((await fake.call('state')).paired).toBe(false);
  });

  it('the phone enters the code: ready, the channel found, a post confirmed', async () => {
    await fake.call('enterPairingCode', shown);
    const ready = await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'WhatsApp ready');
    expect(ready.json?.channel).toMatchObject({ id: CHANNEL.id, name: CHANNEL.name });
    const url = await bot.httpUrl();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const view = (await (await fetch(`${url}/login/state`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { code: string | null };
    expect(view.code).toBeNull();
    const id = await cliBreaking(setup.env(), 'Paired by phone code | First post | https://example.com/paired');
    await bot.waitForLine(about(id, 'posted'), 'posted');
    expect((await fake.call('serverPosts')).filter((p) => p.body.includes('Paired by phone code'))).toHaveLength(1);
  });
});
