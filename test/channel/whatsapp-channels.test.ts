import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/channel/channel.js';
import { createWhatsAppChannel } from '../../src/channel/whatsapp.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createFakeWhatsApp } from '../fakes/fake-whatsapp-client.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const MAIN_ID = '120363012345678901@newsletter';
const SPORT_ID = '120363012345678902@newsletter';
const SPORT_CODE = '0029VaSportSportSport1234';
const BIZ_ID = '120363012345678903@newsletter';

/** The adapter with a registry of main (NEWSDESK_CHANNEL), sport (by invite link) and, later, biz. */
function setup() {
  const clock = createFakeClock();
  const wa = createFakeWhatsApp({ now: clock.now });
  const main = wa.addChannel({ id: MAIN_ID, name: 'Daily Bulletin', inviteCode: '0029VaMainMainMainMain1234' });
  const sport = wa.addChannel({ id: SPORT_ID, name: 'Daily Sport', inviteCode: SPORT_CODE });
  const registry = new Map<string, string>([['sport', `https://whatsapp.com/channel/${SPORT_CODE}`]]);
  const channel = createWhatsAppChannel({
    target: { kind: 'id', id: MAIN_ID },
    channelName: 'main',
    targetOf: (name) => registry.get(name) ?? null,
    sessionDir: tempDir('newsdesk-wa-'),
    chromiumPath: '/opt/test/chromium',
    clock,
    log: createMemoryLogger().log,
    createClient: wa.createClient,
  });
  async function startReady() {
    await channel.start();
    await expect.poll(() => wa.clients.length).toBe(1);
    await expect.poll(() => wa.clients[0]!.initializeCalls).toBe(1);
    await settle();
    wa.clients[0]!.emitReady();
    await settle();
    expect(channel.status().state).toBe('ready');
  }
  return { wa, main, sport, registry, channel, startReady };
}

describe('WhatsApp adapter with several channels', () => {
  it('posts each post to the channel it names and reads it back there only', async () => {
    const s = setup();
    await s.startReady();
    const text = 'Derby tonight\nhttps://news.example.com/derby';
    const onSport = await s.channel.send({ articleId: 1, channel: 'sport', text });
    expect(s.sport.messages.map((m) => m.body)).toEqual([text]);
    expect(s.main.messages).toEqual([]);
    expect(await s.channel.findPost({ articleId: 1, channel: 'main', text })).toBeNull();
    expect(await s.channel.findPost({ articleId: 1, channel: 'sport', text })).toMatchObject({ messageId: onSport });
    // No channel named, or the default one: the NEWSDESK_CHANNEL channel, as before.
    await s.channel.send({ articleId: 1, text });
    await s.channel.send({ articleId: 2, channel: 'main', text: 'second' });
    expect(s.main.messages.map((m) => m.body)).toEqual([text, 'second']);
    await s.channel.stop();
  });

  it('finds a channel added while running; an unknown or unreachable channel is a clear ChannelError', async () => {
    const s = setup();
    await s.startReady();
    const unknown = await s.channel.send({ articleId: 1, channel: 'biz', text: 'x' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ChannelError);
    expect((unknown as ChannelError).retryable).toBe(false);
    expect((unknown as Error).message).toMatch(/no channel named "biz"/);
    s.registry.set('biz', BIZ_ID); // `channel add` by the CLI; not on WhatsApp yet
    const missing = await s.channel.send({ articleId: 1, channel: 'biz', text: 'x' }).catch((e: unknown) => e);
    expect((missing as ChannelError).retryable).toBe(true);
    expect((missing as Error).message).toMatch(/"biz" \(120363012345678903@newsletter\) could not be found/);
    const biz = s.wa.addChannel({ id: BIZ_ID, name: 'Biz', inviteCode: '0029VaBizBizBizBizBiz12345' });
    await s.channel.send({ articleId: 1, channel: 'biz', text: 'Ringgit up' });
    expect(biz.messages.map((m) => m.body)).toEqual(['Ringgit up']);
    await s.channel.stop();
  });
});
