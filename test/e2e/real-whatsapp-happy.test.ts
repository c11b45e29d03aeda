import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  ADMIN_LID,
  API_TOKEN,
  CHANNEL,
  cliBreaking,
  cliShow,
  cleanUp,
  connectFake,
  msg,
  prepareRealWhatsApp,
  spawnRealBot,
  STRANGER,
  type FakePage,
  type RealBot,
  type RealSetup,
} from '../helpers/real-whatsapp.js';

/**
 * The built bot (`node dist/main.js`) with the real whatsapp-web.js 1.34.7 in Debian's Chromium,
 * WhatsApp Web replaced by the fake page through NEWSDESK_WA_WEB_VERSION/NEWSDESK_WA_WEB_CACHE_DIR.
 * One bot and one browser for the whole file, in order: first start, scan, posts, direct messages.
 */
describe('real whatsapp-web.js: first start to posting', { timeout: 60_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let bot: RealBot;
  let fake: FakePage;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-'));
    setup = await prepareRealWhatsApp(root);
    bot = spawnRealBot(setup.env());
    fake = connectFake(setup.port);
  });

  afterAll(() => cleanUp({ bot, fake, setup, root }));

  const waitForDirect = (to: string, text: string | RegExp) =>
    fake.until(
      () => fake.call('sentDirect'),
      (sent) => sent.some((d) => d.to === to && (typeof text === 'string' ? d.body.includes(text) : text.test(d.body))),
      `a direct message to ${to} matching ${String(text)}`,
    );

  it('first start prints the QR code and /login shows the same one', async () => {
    const state = await fake.until(() => fake.call('state'), (s) => s.qr !== null && s.injected === false, 'a QR code in the page');
    await bot.waitForLine(msg(/^WhatsApp needs a login: scan the QR code/), 'the login prompt');
    expect(bot.lines.some((l) => l.raw.includes('Scan with WhatsApp on the phone'))).toBe(true);

    const url = await bot.httpUrl();
    const res = await fetch(`${url}/login/state`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const view = (await res.json()) as { state: string; qr: string | null };
    expect(view.state).toBe('waiting-for-login');
    expect(view.qr).toBe(await QRCode.toDataURL(state.qr!, { errorCorrectionLevel: 'M', margin: 2, width: 288 }));
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });

  it('scan → authenticated → ready, with the channel found by its id', async () => {
    await fake.call('scan');
    const ready = await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'WhatsApp ready');
    expect(ready.json?.channel).toEqual({ id: CHANNEL.id, name: CHANNEL.name, inviteLink: `https://whatsapp.com/channel/${CHANNEL.inviteCode}` });
    expect(ready.json?.account).toBe('60100000001@c.us');
    expect((await fetch(`${await bot.httpUrl()}/readyz`)).status).toBe(200);
  });

  it('a breaking article from the CLI is posted once and confirmed by reading the channel back', async () => {
    const id = await cliBreaking(setup.env(), 'Quake hits Sabah | Magnitude 6.1, no tsunami warning | https://example.com/quake');
    const posts = await fake.until(() => fake.call('serverPosts'), (p) => p.some((x) => x.body.includes('Quake hits Sabah')), 'the post on the channel');
    const line = await bot.waitForLine((l) => msg('posted')(l) && l.json?.articleId === id, 'posted');
    const post = posts.find((p) => p.body.includes('Quake hits Sabah'))!;
    expect(post.body).toBe('*🔴 BREAKING: Quake hits Sabah*\n\nMagnitude 6.1, no tsunami warning\n\nhttps://example.com/quake');
    expect(line.json?.messageId).toBe(post.id);
    const shown = await cliShow(setup.env(), id);
    expect(shown.article.status).toBe('posted');
    expect(shown.deliveries).toEqual([expect.objectContaining({ status: 'posted', messageId: post.id })]);
    expect(posts.filter((p) => p.body.includes('Quake hits Sabah'))).toHaveLength(1);
  });

  it('an admin (@c.us) queues by direct message: answered, posted, and the receipt comes back', async () => {
    await fake.call('receive', `${ADMIN}@c.us`, '/breaking Floods in Kelantan | Roads closed | https://example.com/floods');
    await waitForDirect(`${ADMIN}@c.us`, /^Queued #\d+/);
    await fake.until(() => fake.call('serverPosts'), (p) => p.some((x) => x.body.includes('Floods in Kelantan')), 'the post on the channel');
    await waitForDirect(`${ADMIN}@c.us`, /^✅ #\d+ posted to Harian Test News at .*, message id true_120363000000000001@newsletter_\w+\.\nFloods in Kelantan$/);
  });

  it('the same admin writing from an @lid id is recognised by phone, answered there and gets the receipt on the phone chat', async () => {
    await fake.call('receive', `${ADMIN_LID}@lid`, '/status');
    await waitForDirect(`${ADMIN_LID}@lid`, /WhatsApp: ready/i);
    await fake.call('receive', `${ADMIN_LID}@lid`, '/breaking Bridge reopens | After repairs | https://example.com/bridge');
    await waitForDirect(`${ADMIN_LID}@lid`, /^Queued #\d+/);
    await waitForDirect(`${ADMIN}@c.us`, /^✅ #\d+ posted to Harian Test News .*\nBridge reopens$/);
  });

  it('a reader who is not an admin gets the subscribe reply with the invite link, and no command runs', async () => {
    await fake.call('receive', `${STRANGER}@c.us`, 'subscribe');
    await waitForDirect(`${STRANGER}@c.us`, `https://whatsapp.com/channel/${CHANNEL.inviteCode}`);
    await fake.call('receive', `${STRANGER}@c.us`, '/breaking Not from an admin | x | https://example.com/nope');
    await bot.waitForLine(msg('command from a non-admin ignored'), 'the denied command');
    const posts = await fake.call('serverPosts');
    expect(posts.map((p) => p.body.split('\n')[0])).toEqual([
      '*🔴 BREAKING: Quake hits Sabah*',
      '*🔴 BREAKING: Floods in Kelantan*',
      '*🔴 BREAKING: Bridge reopens*',
    ]);
  });
});
