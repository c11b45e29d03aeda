import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { createWhatsAppChannel } from '../../src/channel/whatsapp.js';
import { loadConfig } from '../../src/config.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createFakeWhatsApp } from '../fakes/fake-whatsapp-client.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const CHANNEL_ID = '120363012345678901@newsletter';
const ADMIN = '60123456789';
const MIN = 60_000;

/**
 * The whole bot (startApp: store, dispatcher, commands, inbox, receipts, notices) with the real
 * WhatsApp adapter on a fake whatsapp-web.js client: each fault must end with every article posted
 * exactly once, the right statuses and delivery rows, and the admins told.
 */
async function setup() {
  const clock = createFakeClock();
  const { log, entries } = createMemoryLogger();
  const wa = createFakeWhatsApp({ now: clock.now });
  const record = wa.addChannel({ id: CHANNEL_ID, name: 'Harian News', inviteCode: '0029VaHarianNews0000000' });
  const dataDir = tempDir();
  const config = loadConfig({
    NEWSDESK_DATA_DIR: dataDir,
    NEWSDESK_CHANNEL: CHANNEL_ID,
    NEWSDESK_ADMINS: `+${ADMIN}`,
    NEWSDESK_MIN_GAP_SECONDS: '0',
    NEWSDESK_MAX_POSTS_PER_HOUR: '0',
    NEWSDESK_SEND_TIMEOUT_SECONDS: '10',
    NEWSDESK_HTTP_PORT: '0',
  });
  const channel = createWhatsAppChannel({
    target: { kind: 'id', id: CHANNEL_ID },
    sessionDir: config.sessionDir,
    chromiumPath: '/opt/fake/chromium',
    clock,
    log,
    printQr: () => undefined,
    createClient: wa.createClient,
  });
  const app = await startApp({ config, log, dryRun: false, clock, channel, watchIntervalMs: 60_000 });
  const run = async (ms = 0) => {
    await settle();
    await clock.advanceAsync(ms, 500);
    await app.dispatcher.idle();
    await settle();
  };
  await expect.poll(() => wa.clients.length).toBe(1);
  await settle();
  wa.latest().emitReady();
  await run();
  expect(channel.status().state).toBe('ready');

  /** An admin queues a story by WhatsApp message, as in production. */
  const adminSays = async (text: string) => {
    wa.latest().emitMessage({ from: `${ADMIN}@c.us`, body: text });
    await run();
  };
  const postsOf = (headline: string) => record.messages.filter((m) => m.body.includes(headline) && m.serverId !== null);
  const dms = () => wa.clients.flatMap((c) => c.directSends).filter((d) => d.chatId === `${ADMIN}@c.us`).map((d) => d.text);
  const cleanup = async () => app.stop();
  return { clock, wa, record, app, channel, run, adminSays, postsOf, dms, entries, cleanup };
}

describe('WhatsApp faults, end to end through the bot', () => {
  it('a send that throws is retried and posted once; the admin gets one receipt', async () => {
    const t = await setup();
    t.wa.sendScript.push({ throw: 'Evaluation failed: send exploded' });
    await t.adminSays('/breaking Quake hits Sabah | https://news.example.com/quake');
    expect(t.app.queue.get(1)).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('send exploded') });
    await t.run(2 * MIN);
    expect(t.postsOf('Quake hits Sabah')).toHaveLength(1);
    expect(t.app.queue.deliveriesOf(1).map((d) => d.status)).toEqual(['failed', 'posted']);
    expect(t.dms().filter((m) => m.startsWith('✅ #1 posted to Harian News'))).toHaveLength(1);
    await t.cleanup();
  });

  it('content WhatsApp refuses for channels (null) fails at once; the admin is told how to retry; retry posts it once', async () => {
    const t = await setup();
    t.wa.sendScript.push('null');
    await t.adminSays('/breaking Refused | https://news.example.com/refused');
    expect(t.app.queue.get(1)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(t.dms().some((m) => m.startsWith('❌ #1 could not be posted: WhatsApp refused this content') && m.includes('/retry 1'))).toBe(true);
    await t.adminSays('/retry 1');
    await t.run(MIN);
    expect(t.postsOf('Refused')).toHaveLength(1);
    expect(t.app.queue.get(1)?.status).toBe('posted');
    await t.cleanup();
  });

  it('a send that hangs times out and is retried without a second copy', async () => {
    const t = await setup();
    const client = t.wa.latest();
    const original = client.sendMessage.bind(client);
    let calls = 0;
    client.sendMessage = (async (...args: Parameters<typeof original>) => {
      calls += 1;
      if (calls === 1) return new Promise(() => {}); // never answers
      return original(...args);
    }) as typeof client.sendMessage;
    // Not through run(): waiting for the dispatcher to be idle would wait for the hung send itself.
    t.wa.latest().emitMessage({ from: `${ADMIN}@c.us`, body: '/breaking Slow | https://news.example.com/slow' });
    await settle();
    await t.clock.advanceAsync(11_000, 500);
    await t.run();
    expect(t.app.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed', error: 'sending the post did not finish within 10 s' });
    await t.run(2 * MIN);
    expect(t.postsOf('Slow')).toHaveLength(1);
    expect(t.app.queue.get(1)?.status).toBe('posted');
    await t.cleanup();
  });

  it('a post the server silently refused is not counted, and is sent again until it is on the channel', async () => {
    const t = await setup();
    t.wa.sendScript.push('refused');
    await t.adminSays('/breaking Silent | https://news.example.com/silent');
    await t.run(5_000);
    expect(t.app.queue.deliveriesOf(1)[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('did not accept the channel post') });
    await t.run(2 * MIN);
    expect(t.postsOf('Silent')).toHaveLength(1); // plus the page's refused copy, which is not a post
    expect(t.app.queue.get(1)?.status).toBe('posted');
    await t.cleanup();
  });

  it.each([
    ['accepts it late: it is recorded as posted from the first attempt, never sent twice', true, 1],
    ['refuses it in the end: it is sent again, once', false, 2],
  ])('a send still waiting for the server past the timeout is not sent again while it waits; when the server %s', async (_label, accepted, sends) => {
    const t = await setup();
    t.wa.sendScript.push('pending');
    // Not through run(): waiting for the dispatcher to be idle would wait for the pending send itself.
    t.wa.latest().emitMessage({ from: `${ADMIN}@c.us`, body: '/breaking Slow server | https://news.example.com/slow-server' });
    await settle();
    await t.clock.advanceAsync(11_000, 500);
    await t.run(10 * MIN); // retries read the channel back, find the post pending, and do not send
    const client = t.wa.latest();
    expect(client.sendCalls.filter((c) => c.chatId === CHANNEL_ID)).toHaveLength(1);
    const deliveries = t.app.queue.deliveriesOf(1);
    expect(deliveries[0]).toMatchObject({ status: 'failed', error: 'sending the post did not finish within 10 s' });
    expect(deliveries.slice(1).every((d) => d.status === 'abandoned' && d.error?.includes('still waiting for the WhatsApp server'))).toBe(true);
    expect(deliveries.length).toBeLessThanOrEqual(12); // looked at about once a minute, not hammered
    expect(t.app.queue.get(1)).toMatchObject({ status: 'queued', attempts: 1 }); // waiting is not held against it

    t.wa.settlePending(accepted);
    await t.run(30 * MIN);
    expect(client.sendCalls.filter((c) => c.chatId === CHANNEL_ID)).toHaveLength(sends);
    expect(t.postsOf('Slow server')).toHaveLength(1);
    expect(t.app.queue.get(1)?.status).toBe('posted');
    await t.cleanup();
  });

  it('a lost session (QR after ready) pauses posting without touching the queue; after a new login the queue drains and admins hear of the outage', async () => {
    const t = await setup();
    t.wa.latest().emitQr('qr-after-ready');
    await t.run();
    expect(t.channel.status()).toMatchObject({ state: 'waiting-for-login', detail: 'session lost: scan the QR code again' });
    expect(t.entries.some((e) => e.level === 'error' && e.msg.startsWith('WhatsApp session lost'))).toBe(true);
    for (let i = 1; i <= 3; i += 1) t.app.queue.enqueue({ headline: `Waiting ${i}`, url: `https://news.example.com/w${i}`, priority: 'breaking' }, t.clock.now());
    t.app.dispatcher.wake('test');
    await t.run(10 * MIN);
    expect(t.record.messages).toHaveLength(0);
    expect(t.app.queue.get(1)?.status).toBe('queued');
    t.wa.latest().emitReady(); // scanned again
    await t.run(MIN);
    for (let i = 1; i <= 3; i += 1) expect(t.postsOf(`Waiting ${i}`)).toHaveLength(1);
    expect(t.dms().some((m) => m.startsWith('⚠️ Posting to the channel stopped at') && m.includes('session lost'))).toBe(true);
    await t.cleanup();
  });

  it('a disconnect rebuilds the client with back-off and posting resumes; nothing is lost or doubled', async () => {
    const t = await setup();
    t.app.queue.enqueue({ headline: 'Before', url: 'https://news.example.com/before', priority: 'breaking' }, t.clock.now());
    t.app.dispatcher.wake('test');
    await t.run();
    t.wa.latest().emitDisconnected('NAVIGATION');
    await t.run();
    expect(t.channel.status().state).toBe('disconnected');
    t.app.queue.enqueue({ headline: 'During', url: 'https://news.example.com/during', priority: 'breaking' }, t.clock.now());
    t.app.dispatcher.wake('test');
    await t.run(5_000);
    await expect.poll(() => t.wa.clients.length).toBe(2);
    await settle();
    t.wa.latest().emitReady();
    await t.run(MIN);
    expect(t.postsOf('Before')).toHaveLength(1);
    expect(t.postsOf('During')).toHaveLength(1);
    await t.cleanup();
  });

  it('a logout stops posting and keeps the queue; a fresh browser shows a new QR code and only a scan resumes posting', async () => {
    const t = await setup();
    t.wa.latest().emitDisconnected('LOGOUT');
    await t.run();
    expect(t.channel.status().state).toBe('logged-out');
    t.app.queue.enqueue({ headline: 'Kept', url: 'https://news.example.com/kept', priority: 'breaking' }, t.clock.now());
    t.app.dispatcher.wake('test');
    await t.run(10_000);
    await expect.poll(() => t.wa.clients.length).toBe(2);
    t.wa.latest().emitQr('2@after-logout');
    await t.run(30 * MIN);
    expect(t.channel.status().state).toBe('waiting-for-login');
    expect(t.wa.clients).toHaveLength(2); // waiting for a person: no watchdog, no re-pairing
    expect(t.app.queue.get(1)?.status).toBe('queued');
    expect(t.record.messages).toHaveLength(0);
    t.wa.latest().emitReady();
    await t.run(MIN);
    expect(t.postsOf('Kept')).toHaveLength(1);
    await t.cleanup();
  });

  it('a WhatsApp Web that never becomes ready is restarted by the watchdog', async () => {
    const t = await setup();
    t.wa.latest().emitDisconnected('CONFLICT');
    await t.run(5_000);
    await expect.poll(() => t.wa.clients.length).toBe(2);
    await t.run(3 * MIN); // no ready: watchdog
    await t.run(15_000);
    await t.run(15_000); // the relaunch after the watchdog's teardown, 10 s of back-off
    await expect.poll(() => t.wa.clients.length).toBeGreaterThanOrEqual(3); // launch awaits real file I/O
    expect(t.entries.some((e) => e.level === 'error' && /was not ready/.test(e.msg))).toBe(true);
    t.wa.latest().emitReady();
    await t.run();
    expect(t.channel.status().state).toBe('ready');
    await t.cleanup();
  });
});
