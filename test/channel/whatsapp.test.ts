import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import wwebjs, { type Client } from 'whatsapp-web.js';
import { ChannelError, type ChannelState } from '../../src/channel/channel.js';
import {
  buildClientOptions,
  CHROMIUM_ARGS,
  createWhatsAppChannel,
  profileDir,
  removeStaleProfileLocks,
  type WhatsAppChannelOptions,
} from '../../src/channel/whatsapp.js';
import { acceptedByServer } from '../../src/channel/whatsapp-channel.js';
import type { ChannelTarget } from '../../src/config.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createFakeBrowser, createFakeWhatsApp, type FakeBrowser } from '../fakes/fake-whatsapp-client.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const CHANNEL_ID = '120363012345678901@newsletter';
const INVITE_CODE = '0029VaAbCdEfGhIjKlMnOp12';
const INVITE_LINK = `https://whatsapp.com/channel/${INVITE_CODE}`;
const CHROMIUM = '/opt/test/chromium';
const MIN = 60_000;

function setup(over: Partial<WhatsAppChannelOptions> = {}) {
  const clock = createFakeClock();
  const { log, entries } = createMemoryLogger();
  const wa = createFakeWhatsApp({ now: clock.now });
  wa.addChannel({ id: CHANNEL_ID, name: 'Daily Bulletin', inviteCode: INVITE_CODE });
  const sessionDir = tempDir('newsdesk-wa-');
  const qrs: string[] = [];
  const codes: string[] = [];
  const channel = createWhatsAppChannel({
    target: { kind: 'id', id: CHANNEL_ID },
    sessionDir,
    chromiumPath: CHROMIUM,
    clock,
    log,
    printQr: (qr) => qrs.push(qr),
    printPairingCode: (code) => codes.push(code),
    createClient: wa.createClient,
    ...over,
  });
  const states: ChannelState[] = [];
  channel.onStatus((s) => {
    if (states.at(-1) !== s.state) states.push(s.state); // detail-only changes are not listed
  });
  const errors = () => entries.filter((e) => e.level === 'error');

  /** Starts and waits until the n-th client's initialize() has been called and has settled. */
  async function clientCount(n: number) {
    await expect.poll(() => wa.clients.length).toBe(n);
    await expect.poll(() => wa.clients[n - 1]!.initializeCalls).toBe(1);
    await settle();
    return wa.clients[n - 1]!;
  }
  async function startReady() {
    await channel.start();
    const client = await clientCount(1);
    client.emitReady();
    await settle();
    expect(channel.status().state).toBe('ready');
    return client;
  }
  return { clock, log, entries, errors, wa, sessionDir, qrs, codes, channel, states, clientCount, startReady };
}

describe('launch options', () => {
  it('launches the configured Chromium headless with container-safe flags and LocalAuth in the session folder', () => {
    const sessionDir = tempDir();
    const options = buildClientOptions({ sessionDir, chromiumPath: CHROMIUM });
    expect(options.puppeteer?.executablePath).toBe(CHROMIUM);
    expect(options.puppeteer?.headless).toBe(true);
    expect(options.puppeteer?.args).toEqual([
      '--no-sandbox',
      '--disable-setuid-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ]);
    expect(options.puppeteer?.args).not.toContain('--single-process');
    // LocalAuth refuses a user-supplied userDataDir; puppeteer must not kill the browser on signals.
    expect(options.puppeteer?.userDataDir).toBeUndefined();
    expect(options.puppeteer).toMatchObject({ handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    expect(options.authStrategy).toBeInstanceOf(wwebjs.LocalAuth);
    expect((options.authStrategy as InstanceType<typeof wwebjs.LocalAuth>).dataPath).toBe(path.resolve(sessionDir));
    expect(options.webVersionCache).toEqual({ type: 'none' });
    expect(options.pairWithPhoneNumber).toBeUndefined();
  });

  it('asks for a pairing code instead of a QR code when a pairing number is set', () => {
    const options = buildClientOptions({ sessionDir: tempDir(), chromiumPath: CHROMIUM, pairingNumber: '60123456789' });
    expect(options.pairWithPhoneNumber).toEqual({ phoneNumber: '60123456789' });
  });

  it('cleans the same profile folder LocalAuth hands to Chromium', async () => {
    const sessionDir = tempDir();
    const options = buildClientOptions({ sessionDir, chromiumPath: CHROMIUM });
    const fakeClient = { options: { puppeteer: { ...options.puppeteer } } };
    const auth = options.authStrategy!;
    auth.setup(fakeClient as unknown as Client);
    await auth.beforeBrowserInitialized();
    expect(fakeClient.options.puppeteer.userDataDir).toBe(profileDir(sessionDir));
    expect(profileDir(sessionDir)).toBe(path.join(path.resolve(sessionDir), 'session'));
  });

  it('builds the client with those options', async () => {
    const s = setup({ pairingNumber: '60123456789' });
    await s.channel.start();
    const client = await s.clientCount(1);
    expect(client.options.puppeteer?.executablePath).toBe(CHROMIUM);
    expect(client.options.puppeteer?.args).toEqual([...CHROMIUM_ARGS]);
    expect(client.options.pairWithPhoneNumber).toEqual({ phoneNumber: '60123456789' });
    await s.channel.stop();
  });
});

describe('stale Chromium profile locks', () => {
  function plantLocks(sessionDir: string) {
    const dir = profileDir(sessionDir);
    fs.mkdirSync(path.join(dir, 'Default'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'Default', 'Preferences'), '{}');
    // What an unclean stop in another container leaves: links to things that do not exist here.
    fs.symlinkSync('old-container-4242', path.join(dir, 'SingletonLock'));
    fs.symlinkSync('/tmp/org.chromium.Chromium.gone/SingletonSocket', path.join(dir, 'SingletonSocket'));
    fs.symlinkSync('1234567890', path.join(dir, 'SingletonCookie'));
    return dir;
  }
  const lexists = (file: string) => {
    try {
      fs.lstatSync(file);
      return true;
    } catch {
      return false; // ENOENT: gone
    }
  };

  it('removes dangling lock links that existsSync cannot see', async () => {
    const dir = plantLocks(tempDir());
    expect(fs.existsSync(path.join(dir, 'SingletonLock'))).toBe(false); // the trap: it follows the link
    const removed = await removeStaleProfileLocks(dir);
    expect(removed).toEqual([
      { name: 'SingletonLock', target: 'old-container-4242' },
      { name: 'SingletonSocket', target: '/tmp/org.chromium.Chromium.gone/SingletonSocket' },
      { name: 'SingletonCookie', target: '1234567890' },
    ]);
    for (const name of ['SingletonLock', 'SingletonSocket', 'SingletonCookie']) expect(lexists(path.join(dir, name))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'Default', 'Preferences'))).toBe(true);
    expect(await removeStaleProfileLocks(dir)).toEqual([]); // nothing left, no error
    expect(await removeStaleProfileLocks(path.join(dir, 'missing'))).toEqual([]);
  });

  it('removes them before the client starts', async () => {
    const s = setup();
    const dir = plantLocks(s.sessionDir);
    await s.channel.start();
    await s.clientCount(1);
    expect(lexists(path.join(dir, 'SingletonLock'))).toBe(false);
    expect(s.entries.some((e) => e.level === 'info' && e.msg.includes('SingletonLock'))).toBe(true);
    await s.channel.stop();
  });
});

describe('login and channel lookup', () => {
  it('prints the QR code and waits for a login', async () => {
    const s = setup();
    await s.channel.start();
    const client = await s.clientCount(1);
    client.emitQr('qr-1');
    client.emitQr('qr-2'); // the library refreshes it
    expect(s.qrs).toEqual(['qr-1', 'qr-2']);
    expect(s.channel.status()).toMatchObject({ state: 'waiting-for-login', detail: expect.stringContaining('Linked devices') });
    client.emitAuthenticated();
    expect(s.channel.status().state).toBe('starting');
    client.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    await s.channel.stop();
  });

  it('shows a pairing code in the log and the status when pairing by phone number', async () => {
    const s = setup({ pairingNumber: '60123456789' });
    await s.channel.start();
    (await s.clientCount(1)).emitCode('WXYZ1234');
    expect(s.codes).toEqual(['WXYZ-1234']);
    expect(s.channel.status()).toMatchObject({ state: 'waiting-for-login', detail: expect.stringContaining('WXYZ-1234') });
    expect(s.entries.some((e) => e.msg.includes('WXYZ-1234') && e.obj.code === 'WXYZ-1234')).toBe(true);
    await s.channel.stop();
  });

  it('resolves the channel by id when ready', async () => {
    const s = setup();
    expect(s.channel.info()).toBeNull();
    await s.startReady();
    expect(s.channel.info()).toEqual({ id: CHANNEL_ID, name: 'Daily Bulletin', inviteLink: INVITE_LINK });
    expect(s.channel.status().detail).toContain('Daily Bulletin');
    expect(s.channel.name).toBe(`whatsapp:${CHANNEL_ID}`);
    await s.channel.stop();
  });

  it('resolves the channel by invite code when ready', async () => {
    const target: ChannelTarget = { kind: 'invite', code: INVITE_CODE, link: INVITE_LINK };
    const s = setup({ target });
    await s.startReady();
    expect(s.channel.info()).toEqual({ id: CHANNEL_ID, name: 'Daily Bulletin', inviteLink: INVITE_LINK });
    await s.channel.stop();
  });

  it.each<[string, ChannelTarget]>([
    ['an unknown id', { kind: 'id', id: '120363999999999999@newsletter' }],
    ['an id that is not a channel', { kind: 'id', id: '120363000000000001@g.us' }],
    ['an unknown invite code', { kind: 'invite', code: '0029VaNoSuchChannel00000', link: 'https://whatsapp.com/channel/0029VaNoSuchChannel00000' }],
  ])('fails with a how-to when the target is %s', async (_label, target) => {
    const s = setup({ target });
    s.wa.otherChats.set('120363000000000001@g.us', { id: '120363000000000001@g.us', name: 'A group' });
    await s.channel.start();
    (await s.clientCount(1)).emitReady();
    await settle();
    expect(s.channel.status()).toMatchObject({ state: 'failed', detail: expect.stringContaining('NEWSDESK_CHANNEL') });
    expect(s.errors().some((e) => e.msg.includes('Copy link'))).toBe(true);
    expect(s.channel.info()).toBeNull();
    await s.clock.advanceAsync(30 * MIN, 10_000);
    expect(s.wa.clients).toHaveLength(1); // looked up again on the same login: no browser rebuild loop
    expect(s.channel.status()).toMatchObject({ state: 'failed', detail: expect.stringContaining('looking again in') });
    await s.channel.stop();
  });

  it('looks the channel up again when the page could not load it, and posts once it can', async () => {
    const s = setup();
    const record = s.wa.channels.get(CHANNEL_ID)!;
    s.wa.channels.delete(CHANNEL_ID); // a network blip while loading the channel: the page says "no such chat"
    await s.channel.start();
    (await s.clientCount(1)).emitReady();
    await settle();
    expect(s.channel.status()).toMatchObject({ state: 'failed', detail: expect.stringContaining('looking again in 30 s') });
    s.wa.channels.set(CHANNEL_ID, record);
    await s.clock.advanceAsync(30_000, 1_000);
    expect(s.channel.status().state).toBe('ready');
    expect(s.wa.clients).toHaveLength(1);
    await s.channel.stop();
  });

  it('a repeated lookup that never answers is caught by the watchdog, which rebuilds the browser', async () => {
    const s = setup({ readyTimeoutMs: 2 * MIN });
    const record = s.wa.channels.get(CHANNEL_ID)!;
    s.wa.channels.delete(CHANNEL_ID);
    await s.channel.start();
    const first = await s.clientCount(1);
    first.emitReady();
    await settle();
    first.lookupsHang = true;
    s.wa.channels.set(CHANNEL_ID, record);
    await s.clock.advanceAsync(30_000 + 2 * MIN, 1_000); // the retry starts, hangs, and the watchdog fires
    expect(s.errors().some((e) => e.msg.includes('after channel lookup'))).toBe(true);
    await s.clock.advanceAsync(MIN, 1_000);
    const second = await s.clientCount(2);
    second.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    await s.channel.stop();
  });

  it('after a reconnect, a channel that cannot be loaded is a disconnection retried by itself, not a failure', async () => {
    const s = setup();
    const client = await s.startReady();
    const record = s.wa.channels.get(CHANNEL_ID)!;
    s.wa.channels.delete(CHANNEL_ID);
    client.emitDisconnected('NAVIGATION');
    await s.clock.advanceAsync(MIN, 1_000);
    const second = await s.clientCount(2);
    second.emitReady();
    await settle();
    expect(s.channel.status()).toMatchObject({ state: 'disconnected', detail: expect.stringContaining('"Daily Bulletin"') });
    await s.clock.advanceAsync(30_000, 1_000);
    expect(s.channel.status().detail).toContain('looking again in 1 min');
    s.wa.channels.set(CHANNEL_ID, record);
    await s.clock.advanceAsync(60_000, 1_000);
    expect(s.channel.status().state).toBe('ready');
    await s.channel.stop();
  });
});

describe('send', () => {
  const post = { articleId: 7, text: '*Storm warning*\nRoads closed.\nhttps://news.example.com/7' };

  it('sends text to the channel without sendSeen and returns the message id', async () => {
    const s = setup();
    const client = await s.startReady();
    const id = await s.channel.send(post);
    expect(id).toMatch(/@newsletter/);
    expect(client.sendCalls).toEqual([{ chatId: CHANNEL_ID, content: post.text, options: { sendSeen: false, linkPreview: true } }]);
    await s.channel.stop();
  });

  it('a null result (content refused for channels) is a non-retryable ChannelError', async () => {
    const s = setup();
    await s.startReady();
    s.wa.sendScript.push('null');
    const err = await s.channel.send(post).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).retryable).toBe(false);
    await s.channel.stop();
  });

  it('an undefined result (no chat, no message) is a retryable ChannelError', async () => {
    const s = setup();
    await s.startReady();
    s.wa.sendScript.push('undefined');
    const err = await s.channel.send(post).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).retryable).toBe(true);
    expect((err as ChannelError).message).toContain(CHANNEL_ID);
    await s.channel.stop();
  });

  it('a plain string thrown by the library becomes a retryable ChannelError carrying it', async () => {
    const s = setup();
    await s.startReady();
    s.wa.sendScript.push({ throw: 'Evaluation failed: t: Cannot read properties of undefined' });
    const err = await s.channel.send(post).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).retryable).toBe(true);
    expect((err as ChannelError).message).toContain('Evaluation failed');
    expect((err as ChannelError).cause).toBe('Evaluation failed: t: Cannot read properties of undefined');
    await s.channel.stop();
  });

  it('refuses to send unless ready, without touching WhatsApp', async () => {
    const s = setup();
    await s.channel.start();
    const client = await s.clientCount(1);
    client.emitQr();
    const err = await s.channel.send(post).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).retryable).toBe(true);
    expect((err as ChannelError).message).toContain('waiting-for-login');
    expect(client.sendCalls).toHaveLength(0);
    await s.channel.stop();
  });
});

describe('findPost', () => {
  it('finds the bot’s own post by its text, tolerating line-end and edge-whitespace differences', async () => {
    const s = setup();
    const record = s.wa.channels.get(CHANNEL_ID)!;
    record.messages.push({ id: 'true_x@newsletter_OTHER', body: 'Hello readers', timestamp: 1_700_000_000, fromMe: false });
    record.messages.push({ id: 'true_x@newsletter_OLD', body: 'Older post', timestamp: 1_700_000_100, fromMe: true });
    record.messages.push({ id: 'true_x@newsletter_MINE', body: 'Line one\nLine two', timestamp: 1_700_000_200, fromMe: true });
    await s.startReady();
    expect(await s.channel.findPost({ articleId: 1, text: '  Line one\r\nLine two\n' })).toEqual({
      messageId: 'true_x@newsletter_MINE',
      postedAt: 1_700_000_200_000,
    });
    await s.channel.stop();
  });

  it('returns null when the post is not there, and ignores other people’s messages', async () => {
    const s = setup();
    s.wa.channels.get(CHANNEL_ID)!.messages.push({ id: 'true_x@newsletter_OTHER', body: 'Hello readers', timestamp: 1_700_000_000, fromMe: false });
    await s.startReady();
    expect(await s.channel.findPost({ articleId: 1, text: 'Never posted' })).toBeNull();
    expect(await s.channel.findPost({ articleId: 2, text: 'Hello readers' })).toBeNull();
    await s.channel.stop();
  });

  it('finds a post sent through the adapter', async () => {
    const s = setup();
    await s.startReady();
    const text = 'Budget passes\nhttps://news.example.com/9';
    const id = await s.channel.send({ articleId: 9, text });
    expect(await s.channel.findPost({ articleId: 9, text })).toEqual({ messageId: id, postedAt: Math.floor(s.clock.now() / 1000) * 1000 });
    await s.channel.stop();
  });

  it('cannot read back while not ready: a retryable error, not a false "not posted"', async () => {
    const s = setup();
    await s.channel.start();
    await s.clientCount(1);
    const err = await s.channel.findPost({ articleId: 1, text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as ChannelError).retryable).toBe(true);
    await s.channel.stop();
  });
});

describe('session lost and disconnects', () => {
  it('a QR code after ready means the session was lost: waiting-for-login, posting paused', async () => {
    const s = setup();
    const client = await s.startReady();
    client.emitQr('qr-again');
    expect(s.channel.status()).toMatchObject({ state: 'waiting-for-login', detail: 'session lost: scan the QR code again' });
    expect(s.qrs).toEqual(['qr-again']);
    expect(s.errors().some((e) => e.msg.includes('session lost'))).toBe(true);
    await expect(s.channel.send({ articleId: 1, text: 'x' })).rejects.toBeInstanceOf(ChannelError);
    // Scanning again in the same browser brings it back.
    client.emitAuthenticated();
    client.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    expect(s.wa.clients).toHaveLength(1);
    await s.channel.stop();
  });

  it('LOGOUT: logged-out, the browser is closed, then a fresh one shows a new QR code (no pairing without a scan)', async () => {
    const s = setup();
    const client = await s.startReady();
    client.emitDisconnected('LOGOUT');
    expect(s.channel.status()).toMatchObject({ state: 'logged-out', detail: expect.stringContaining('new QR code') });
    await expect.poll(() => client.destroyed).toBe(true);
    await expect(s.channel.send({ articleId: 1, text: 'x' })).rejects.toMatchObject({ retryable: true });
    await settle();
    s.clock.advance(4_999);
    await settle();
    expect(s.wa.clients).toHaveLength(1); // not before the backoff
    s.clock.advance(1);
    // The relaunch first looks (on disk) for a browser still holding the profile: poll, do not count rounds.
    await s.clientCount(2);
    s.wa.latest().emitQr('2@after-logout');
    expect(s.channel.status()).toMatchObject({ state: 'waiting-for-login', detail: 'session lost: scan the QR code again' });
    expect(s.channel.loginPrompt?.()).toMatchObject({ kind: 'qr', value: '2@after-logout' });
    await s.channel.stop();
  });

  it('another reason: disconnected, old client destroyed, a new one built after the backoff', async () => {
    const s = setup();
    const first = await s.startReady();
    first.emitDisconnected('CONFLICT');
    expect(s.channel.status().state).toBe('disconnected');
    await expect.poll(() => first.destroyed).toBe(true);
    await settle();
    expect(s.channel.status().detail).toContain('retrying in 5 s');
    expect(first.listenerCount('ready')).toBe(0); // no longer listened to
    s.clock.advance(4_999);
    await settle();
    expect(s.wa.clients).toHaveLength(1);
    s.clock.advance(1);
    const second = await s.clientCount(2);
    second.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    expect(s.states).toEqual(['starting', 'ready', 'disconnected', 'starting', 'ready']);
    // Events from the old client no longer count.
    first.emitDisconnected('LOGOUT');
    expect(s.channel.status().state).toBe('ready');
    await s.channel.stop();
  });

  it('a blocked account is failed, with no reconnect', async () => {
    const s = setup();
    const client = await s.startReady();
    client.emitDisconnected('TOS_BLOCK');
    expect(s.channel.status()).toMatchObject({ state: 'failed', detail: expect.stringContaining('blocked') });
    await expect.poll(() => client.destroyed).toBe(true);
    expect(s.clock.pending()).toBe(0);
    await s.channel.stop();
  });

  it('Chromium dying on its own is noticed and the client rebuilt', async () => {
    const s = setup();
    const browsers: FakeBrowser[] = [];
    s.wa.withBrowsers(() => {
      const b = createFakeBrowser();
      browsers.push(b);
      return b;
    });
    await s.startReady();
    browsers[0]!.process().exit(null, 'SIGKILL'); // the OOM killer
    expect(s.channel.status().state).toBe('disconnected');
    expect(s.errors().some((e) => e.msg.includes('Chromium exited unexpectedly'))).toBe(true);
    await settle();
    s.clock.advance(5_000);
    await s.clientCount(2);
    await s.channel.stop();
  });
});

describe('start failures and the watchdog', () => {
  it('initialize() rejecting is logged with a hint and retried with a growing backoff', async () => {
    const s = setup();
    s.wa.initializeScript.push({ reject: new Error(`Browser was not found at the configured executablePath (${CHROMIUM})`) }, { reject: 'auth timeout' });
    await s.channel.start();
    const first = await s.clientCount(1);
    await expect.poll(() => s.errors().length).toBe(1);
    expect(s.errors()[0]!.msg).toContain('install Debian chromium');
    expect(s.errors()[0]!.msg).toContain('NEWSDESK_CHROMIUM_PATH');
    await expect.poll(() => s.channel.status().detail).toContain('retrying in 5 s');
    expect(s.channel.status().state).toBe('starting');
    expect(first.destroyed).toBe(true);

    s.clock.advance(5_000);
    await s.clientCount(2);
    await expect.poll(() => s.errors().length).toBe(2);
    expect(s.errors()[1]!.msg).toContain('auth timeout'); // a plain string throw, handled the same way
    await expect.poll(() => s.channel.status().detail).toContain('retrying in 10 s');

    s.clock.advance(10_000);
    const third = await s.clientCount(3);
    third.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    await s.channel.stop();
  });

  it('no ready within readyTimeoutMs: logged, destroyed and rebuilt; paused while a person must scan', async () => {
    const s = setup({ readyTimeoutMs: 2 * MIN });
    await s.channel.start();
    const first = await s.clientCount(1);
    s.clock.advance(2 * MIN);
    expect(s.errors().some((e) => e.msg.includes('not ready') && e.msg.includes('whatsapp-web.js update'))).toBe(true);
    await expect.poll(() => first.destroyed).toBe(true);
    await settle();
    s.clock.advance(5_000);
    const second = await s.clientCount(2);

    second.emitQr();
    s.clock.advance(30 * MIN); // nobody scanned yet: keep waiting, no rebuild
    await settle();
    expect(s.wa.clients).toHaveLength(2);
    expect(second.destroyed).toBe(false);

    second.emitAuthenticated(); // scanned, but stuck loading (upstream #2454)
    s.clock.advance(2 * MIN);
    await expect.poll(() => second.destroyed).toBe(true);
    await s.channel.stop();
  });

  it('a hanging initialize() is cut off by the watchdog without an unhandled rejection', async () => {
    const s = setup({ readyTimeoutMs: MIN });
    s.wa.initializeScript.push('hang');
    await s.channel.start();
    await expect.poll(() => s.wa.clients.length).toBe(1);
    await settle();
    s.clock.advance(MIN);
    await expect.poll(() => s.wa.clients[0]!.destroyCalls).toBeGreaterThan(0);
    // retire() waits (bounded by destroyTimeoutMs) for the hung initialize before the backoff starts
    await s.clock.advanceAsync(15_000 + 5_000, 1_000);
    await s.clientCount(2);
    await s.channel.stop();
  });
});

describe('stop', () => {
  it('is idempotent, destroys the client and reports stopped', async () => {
    const s = setup();
    const client = await s.startReady();
    await Promise.all([s.channel.stop(), s.channel.stop()]);
    await s.channel.stop();
    expect(client.destroyCalls).toBe(1);
    expect(s.channel.status().state).toBe('stopped');
    await s.channel.start(); // no restart after stop
    await settle();
    expect(s.wa.clients).toHaveLength(1);
  });

  it('cancels a pending reconnect', async () => {
    const s = setup();
    (await s.startReady()).emitDisconnected('CONFLICT');
    await expect.poll(() => s.clock.pending()).toBe(1);
    await s.channel.stop();
    expect(s.clock.pending()).toBe(0);
    s.clock.advance(60 * MIN);
    await settle();
    expect(s.wa.clients).toHaveLength(1);
    expect(s.channel.status().state).toBe('stopped');
  });

  it('kills the browser when destroy() hangs', async () => {
    const s = setup({ destroyTimeoutMs: 10_000 });
    const browser = createFakeBrowser();
    s.wa.withBrowsers(() => browser);
    const client = await s.startReady();
    client.destroyHangs = true;
    let stopped = false;
    const stopping = s.channel.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    await s.clock.advanceAsync(10_000, 1_000);
    await stopping;
    expect(browser.process().kills).toEqual(['SIGKILL']);
    expect(s.channel.status().state).toBe('stopped');
  });
});

describe('server refusals hidden by the library', () => {
  it('does not count a post the server refused, though the page keeps a copy', async () => {
    const s = setup();
    await s.startReady();
    s.wa.sendScript.push('refused');
    const error = await s.channel.send({ articleId: 1, text: 'Refused post' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('did not accept the channel post') });
    expect(s.wa.channels.get(CHANNEL_ID)!.messages.map((m) => m.body)).toEqual(['Refused post']); // the page's copy
    expect(await s.channel.findPost({ articleId: 1, text: 'Refused post' })).toBeNull();
    await s.channel.stop();
  });

  it('a copy still waiting for the server is neither found nor absent, until the page has surely given up on it', async () => {
    const s = setup();
    await s.startReady();
    const record = s.wa.channels.get(CHANNEL_ID)!;
    record.messages.push({ id: 'm-wait', body: 'Waiting post', timestamp: Math.floor(s.clock.now() / 1000), fromMe: true, serverId: null, ack: 0 });
    const waiting = await s.channel.findPost({ articleId: 1, text: 'Waiting post' }).catch((e: unknown) => e);
    expect(waiting).toBeInstanceOf(ChannelError);
    expect(waiting).toMatchObject({ retryable: true, waiting: true, message: expect.stringContaining('still waiting for the WhatsApp server') });
    s.clock.advance(16 * MIN);
    expect(await s.channel.findPost({ articleId: 1, text: 'Waiting post' })).toBeNull();
    await s.channel.stop();
  });

  it.each([
    [{ _data: { serverId: 4711 } }, true],
    [{ _data: { serverId: '4711' } }, true],
    [{ _data: {} }, false], // refused: the page dropped the unset key on the way out
    [{ _data: { serverId: null } }, false],
    [{ _data: { serverId: '' } }, false],
    [{}, false],
  ])('a message %j counts as accepted by the server: %s', (message, accepted) => {
    expect(acceptedByServer(message)).toBe(accepted);
  });
});

describe('direct messages', () => {
  it('delivers incoming messages with the sender resolved from a @lid id to a phone number', async () => {
    const s = setup();
    const client = await s.startReady();
    client.lidToPhone.set('147258369012345@lid', '60123456789@c.us');
    const seen: unknown[] = [];
    s.channel.onMessage((m) => {
      seen.push(m);
    });
    client.emitMessage({ from: '147258369012345@lid', body: '/status' });
    client.emitMessage({ from: '60198765432@c.us', body: 'hi' });
    client.emitMessage({ from: '120363111111111111@g.us', author: '60111111111@c.us', body: '/pause' });
    client.emitMessage({ from: '999@lid', body: 'who am I' });
    await expect.poll(() => seen.length).toBe(4);
    expect(seen).toEqual([
      expect.objectContaining({ chatId: '147258369012345@lid', senderPhone: '60123456789', body: '/status', fromMe: false, type: 'chat' }),
      expect.objectContaining({ chatId: '60198765432@c.us', senderPhone: '60198765432' }),
      expect.objectContaining({ chatId: '120363111111111111@g.us', senderPhone: '60111111111' }),
      expect.objectContaining({ chatId: '999@lid', senderPhone: null }),
    ]);
    await s.channel.stop();
  });

  it('replies in the chat and messages a phone number through its WhatsApp id', async () => {
    const s = setup();
    const client = await s.startReady();
    await s.channel.reply('147258369012345@lid', 'pong');
    await s.channel.sendToPhone('60123456789', 'posted');
    expect(client.directSends).toEqual([
      { chatId: '147258369012345@lid', text: 'pong' },
      { chatId: '60123456789@c.us', text: 'posted' },
    ]);
    await s.channel.stop();
  });

  it('refuses to message anyone while not connected', async () => {
    const s = setup();
    await expect(s.channel.reply('60123456789@c.us', 'x')).rejects.toThrow(/not ready/);
  });

  it('runs an admin command that arrives from a @lid sender end to end and replies', async () => {
    const { createInbox } = await import('../../src/commands/inbox.js');
    const { commandSetup } = await import('../helpers/command-setup.js');
    const s = setup();
    const client = await s.startReady();
    client.lidToPhone.set('147258369012345@lid', '60123456789@c.us');
    const t = commandSetup();
    createInbox({ core: t.core, messages: s.channel, audit: t.ctx.audit, admins: ['60123456789'], channelInfo: () => s.channel.info(), clock: t.clock, log: t.log }).listen();
    client.emitMessage({ from: '147258369012345@lid', body: '/breaking Quake | https://news.example.com/quake' });
    await expect.poll(() => client.directSends.length).toBe(1);
    expect(client.directSends[0]).toEqual({ chatId: '147258369012345@lid', text: expect.stringMatching(/^Queued #1 ⚡ BREAKING/) });
    expect(t.ctx.queue.get(1)).toMatchObject({ source: 'admin:+60123456789', priority: 'breaking' });
    await s.channel.stop();
  });
});

describe('login prompt for the /login page', () => {
  it('exposes the current QR code while waiting for a login, the newest one after a rotation, and nothing once ready', async () => {
    const s = setup();
    await s.channel.start();
    const client = await s.clientCount(1);
    expect(s.channel.loginPrompt?.()).toBeNull();
    client.emitQr('qr-one');
    expect(s.channel.loginPrompt?.()).toEqual({ kind: 'qr', value: 'qr-one', since: s.clock.now() });
    s.clock.advance(20_000);
    client.emitQr('qr-two');
    expect(s.channel.loginPrompt?.()).toMatchObject({ kind: 'qr', value: 'qr-two' });
    client.emitReady();
    await settle();
    expect(s.channel.loginPrompt?.()).toBeNull();
    await s.channel.stop();
  });

  it('exposes the formatted pairing code in pairing mode', async () => {
    const s = setup({ pairingNumber: '60123456789' });
    await s.channel.start();
    const client = await s.clientCount(1);
    client.emitCode('ABCDEFGH');
    expect(s.channel.loginPrompt?.()).toMatchObject({ kind: 'code', value: 'ABCD-EFGH' });
    await s.channel.stop();
  });
});

describe('planned browser restart', () => {
  it('closes the browser and comes back ready with a new client, the queue untouched', async () => {
    const s = setup();
    const first = await s.startReady();
    await s.channel.restart!('daily planned browser restart');
    expect(first.destroyCalls).toBe(1);
    expect(s.channel.status().state).toBe('disconnected');
    s.clock.advance(5_000);
    const second = await s.clientCount(2);
    second.emitReady();
    await settle();
    expect(s.channel.status().state).toBe('ready');
    expect(s.entries.some((e) => e.msg === 'restarting the browser: daily planned browser restart')).toBe(true);
    await s.channel.stop();
  });
});
