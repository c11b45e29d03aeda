import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import {
  about,
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

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

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
  /** The newsroom's image server (loopback): one real PNG. */
  let images: http.Server;
  let imageBase: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-'));
    setup = await prepareRealWhatsApp(root);
    bot = spawnRealBot(setup.env());
    fake = connectFake(setup.port);
    images = http.createServer((req, res) => {
      if (req.url === '/photo.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    images?.closeAllConnections();
    await new Promise((resolve) => images?.close(resolve));
    await cleanUp({ bot, fake, setup, root });
  });

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

  let imageArticle: number;
  let imagePostId: string;

  it('an article with an image goes out as the image with the text as its caption, confirmed by reading the channel back', async () => {
    const queued = await runCli(['--json', 'breaking', `image=${imageBase}/photo.png`, 'Storm warning | Heavy rain expected | https://example.com/storm'], setup.env());
    expect(queued.code, queued.stderr).toBe(0);
    imageArticle = (JSON.parse(queued.stdout) as { article: { id: number } }).article.id;
    const line = await bot.waitForLine(about(imageArticle, 'posted'), 'the image post confirmed');
    imagePostId = String(line.json?.messageId);
    const post = (await fake.call('serverPosts')).find((p) => p.id === imagePostId);
    expect(post).toMatchObject({ type: 'image', mimetype: 'image/png', body: '*🔴 BREAKING: Storm warning*\n\nHeavy rain expected\n\nhttps://example.com/storm' });
    expect(post?.mediaHandle).toBeTruthy();
    expect(bot.count(about(imageArticle, 'posting the article as text instead of an image'))).toBe(0);
    expect((await cliShow(setup.env(), imageArticle)).deliveries).toEqual([expect.objectContaining({ status: 'posted', messageId: imagePostId })]);
  });

  it('a correction edits the image post on the channel (Message.edit), confirmed by reading it back', async () => {
    const corrected = await runCli(['--json', 'correct', String(imageArticle), 'Storm warning lifted | Rain eased overnight | https://example.com/storm'], setup.env());
    expect(corrected.code, corrected.stderr).toBe(0);
    await bot.waitForLine(about(imageArticle, 'post edited'), 'the correction applied');
    const post = (await fake.call('serverPosts')).find((p) => p.id === imagePostId);
    expect(post).toMatchObject({ type: 'image', edits: 1, body: '*🔴 BREAKING: Storm warning lifted*\n\nRain eased overnight\n\nhttps://example.com/storm' });
    expect((await fake.call('pagePosts')).find((p) => p.id === imagePostId)?.body).toBe(post?.body);
    expect((await fake.call('serverPosts')).filter((p) => p.body.includes('Storm warning'))).toHaveLength(1);
  });

  it('a post past WhatsApp\'s edit window is corrected by a follow-up quoting the headline; the original stays', async () => {
    const quake = (await fake.call('serverPosts')).find((p) => p.body.startsWith('*🔴 BREAKING: Quake hits Sabah*'))!;
    const id = Number((await bot.waitForLine((l) => msg('posted')(l) && l.json?.messageId === quake.id, 'the quake post')).json?.articleId);
    await fake.call('addEditFault', { kind: 'expired', match: 'Quake hits Sabah', times: 1 });
    const corrected = await runCli(['--json', 'correct', String(id), 'Quake hits Sabah | Magnitude 5.9, revised | https://example.com/quake'], setup.env());
    expect(corrected.code, corrected.stderr).toBe(0);
    await bot.waitForLine(about(id, 'follow-up correction posted'), 'the follow-up');
    const posts = await fake.call('serverPosts');
    expect(posts.find((p) => p.id === quake.id)).toMatchObject({ body: quake.body });
    expect(posts.filter((p) => p.body.startsWith('✏️ Correction: “Quake hits Sabah”'))).toHaveLength(1);
  });
});
