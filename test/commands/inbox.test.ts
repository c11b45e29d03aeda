import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { createInbox, SUBSCRIBE_COOLDOWN_MS } from '../../src/commands/inbox.js';
import { createReceipts } from '../../src/commands/receipts.js';
import type { Delivery } from '../../src/store/rows.js';
import { createFakeDirectMessages, incoming } from '../fakes/fake-direct-messages.js';
import { commandSetup } from '../helpers/command-setup.js';

const ADMIN_PHONE = '60123456789';
const READER_PHONE = '60198765432';
const CHANNEL = { id: '120363000000000001@newsletter', name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaHarianNews0000000' };
const URL1 = 'https://news.example.com/floods';

function setup() {
  const t = commandSetup();
  const messages = createFakeDirectMessages();
  const inbox = createInbox({ core: t.core, messages, audit: t.ctx.audit, admins: [ADMIN_PHONE], channelInfo: () => CHANNEL, clock: t.clock, log: t.log });
  inbox.listen();
  return { ...t, messages, inbox };
}

describe('WhatsApp inbox', () => {
  it('runs an admin command sent from a @c.us id and replies with the result', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ body: `/breaking Quake hits Sabah | ${URL1}` }))).toBe('command');
    expect(t.ctx.queue.get(1)).toMatchObject({ priority: 'breaking', source: `admin:+${ADMIN_PHONE}` });
    expect(t.messages.replies).toEqual([{ chatId: '60123456789@c.us', text: expect.stringMatching(/^Queued #1 ⚡ BREAKING/) }]);
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ door: 'whatsapp', actor: `admin:+${ADMIN_PHONE}`, outcome: 'ok' });
  });

  it('recognises an admin writing from a @lid id by the resolved phone number, with ! as prefix', async () => {
    const t = setup();
    await t.messages.deliver({ chatId: '147258369012345@lid', senderPhone: ADMIN_PHONE, body: `!queue Floods | ${URL1}` });
    expect(t.ctx.queue.get(1)?.headline).toBe('Floods');
    expect(t.messages.replies[0]!.chatId).toBe('147258369012345@lid');
  });

  it('does not run commands from a non-admin, replies nothing, and audits the refusal', async () => {
    const t = setup();
    const before = t.snapshot();
    expect(await t.inbox.handle(incoming({ chatId: `${READER_PHONE}@c.us`, senderPhone: READER_PHONE, body: `/breaking Fake | ${URL1}` }))).toBe('denied');
    expect(t.snapshot()).toEqual(before);
    expect(t.messages.replies).toEqual([]);
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ outcome: 'denied', actor: `+${READER_PHONE}`, command: `/breaking Fake | ${URL1}` });
  });

  it('does not treat an unresolved @lid sender as an admin', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ chatId: '999@lid', senderPhone: null, body: '/pause' }))).toBe('denied');
    expect(t.ctx.settings.isPaused()).toBe(false);
  });

  it.each([
    ['a group', { chatId: '120363111111111111@g.us', body: '/pause' }],
    ['a channel', { chatId: '120363000000000001@newsletter', body: '/pause' }],
    ['a status update', { chatId: 'status@broadcast', isStatus: true, body: '/pause' }],
    ['the bot itself', { fromMe: true, body: '/pause' }],
  ])('ignores messages from %s entirely', async (_name, m) => {
    const t = setup();
    expect(await t.inbox.handle(incoming(m))).toBe('ignored');
    expect(t.ctx.settings.isPaused()).toBe(false);
    expect(t.messages.replies).toEqual([]);
    expect(t.ctx.audit.recent(5)).toEqual([]);
  });

  it.each(['subscribe', 'JOIN', 'Follow', '/start', 'hi!', ' Hi '])('answers a reader who writes %j with the channel link', async (word) => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ chatId: `${READER_PHONE}@c.us`, senderPhone: READER_PHONE, body: word }))).toBe('subscribe-reply');
    expect(t.messages.replies).toEqual([{ chatId: `${READER_PHONE}@c.us`, text: expect.stringContaining(`Follow Harian News on WhatsApp`) }]);
    expect(t.messages.replies[0]!.text).toContain(CHANNEL.inviteLink);
  });

  it('answers each reader at most once per 10 minutes, whatever they send', async () => {
    const t = setup();
    const reader = { chatId: `${READER_PHONE}@c.us`, senderPhone: READER_PHONE };
    expect(await t.inbox.handle(incoming({ ...reader, body: 'subscribe' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ ...reader, body: 'join' }))).toBe('rate-limited');
    expect(await t.inbox.handle(incoming({ ...reader, body: 'hello?' }))).toBe('silent');
    t.clock.advance(SUBSCRIBE_COOLDOWN_MS - 1);
    expect(await t.inbox.handle(incoming({ ...reader, body: 'hi' }))).toBe('rate-limited');
    // another reader is not held back by the first
    expect(await t.inbox.handle(incoming({ chatId: '60111111111@c.us', senderPhone: '60111111111', body: 'hi' }))).toBe('subscribe-reply');
    t.clock.advance(1);
    expect(await t.inbox.handle(incoming({ ...reader, body: 'hi' }))).toBe('subscribe-reply');
    expect(t.messages.replies.filter((r) => r.chatId === reader.chatId)).toHaveLength(2);
  });

  it('stays silent to other chatter from readers', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ chatId: `${READER_PHONE}@c.us`, senderPhone: READER_PHONE, body: 'what is the weather' }))).toBe('silent');
    expect(t.messages.replies).toEqual([]);
  });

  it('tells an admin who forgets the prefix how to send commands', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ body: 'status' }))).toBe('hint');
    expect(t.messages.replies[0]!.text).toBe('Commands start with / or ! — send /help for the list.');
  });

  it('never throws, even when replying fails', async () => {
    const t = setup();
    t.messages.reply = async () => {
      throw new Error('not connected');
    };
    expect(await t.inbox.handle(incoming({ body: '/status' }))).toBe('ignored');
    expect(t.entries.some((e) => e.level === 'error' && e.msg === 'could not handle an incoming message')).toBe(true);
  });
});

describe('delivery receipts', () => {
  const article = (over: Partial<Article> = {}): Article => ({
    id: 12, headline: 'Quake hits Sabah', summary: '', url: URL1, canonicalUrl: URL1, imageUrl: null, category: null,
    priority: 'breaking', publishAt: 0, timed: false, source: `admin:+${ADMIN_PHONE}`, status: 'posted', attempts: 1,
    nextAttemptAt: 0, lastError: null, createdAt: 0, updatedAt: 0, postedAt: Date.UTC(2026, 10, 26, 10, 30), ...over,
  });
  const delivery = { id: 3, articleId: 12, attempt: 1, channel: 'whatsapp', status: 'posted', text: '', messageId: 'true_120363@newsletter_3EB0', error: null, startedAt: 0, finishedAt: 0 } as Delivery;

  it('tells the admin who queued an article that it was posted, with time and message id', () => {
    const messages = createFakeDirectMessages();
    const t = commandSetup();
    const receipts = createReceipts({ messages, channelInfo: () => CHANNEL, timezone: 'Asia/Kuala_Lumpur', log: t.log });
    receipts.posted!(article(), delivery);
    expect(messages.sent).toEqual([
      { phone: ADMIN_PHONE, text: '✅ #12 posted to Harian News at Thu 26 Nov 18:30 (Asia/Kuala_Lumpur), message id true_120363@newsletter_3EB0.\nQuake hits Sabah' },
    ]);
  });

  it('tells the admin when an article finally fails, with the retry command', () => {
    const messages = createFakeDirectMessages();
    const t = commandSetup();
    const receipts = createReceipts({ messages, channelInfo: () => CHANNEL, timezone: 'UTC', log: t.log });
    receipts.failed!(article({ status: 'failed' }), 'send exploded (gave up after 5 attempts)');
    expect(messages.sent[0]!.text).toBe('❌ #12 could not be posted: send exploded (gave up after 5 attempts)\nSend /retry 12 to try again.\nQuake hits Sabah');
  });

  it('tells every admin, each once, when an article finally fails, whoever queued it', () => {
    const messages = createFakeDirectMessages();
    const t = commandSetup();
    const receipts = createReceipts({ messages, channelInfo: () => CHANNEL, timezone: 'UTC', log: t.log, admins: [ADMIN_PHONE, '60199999999'] });
    receipts.failed!(article({ status: 'failed' }), 'x');
    receipts.failed!(article({ id: 13, status: 'failed', source: 'feed:3' }), 'y');
    receipts.posted!(article(), delivery);
    expect(messages.sent.map((m) => [m.phone, m.text.slice(0, 4)])).toEqual([
      [ADMIN_PHONE, '❌ #1'],
      ['60199999999', '❌ #1'],
      [ADMIN_PHONE, '❌ #1'],
      ['60199999999', '❌ #1'],
      [ADMIN_PHONE, '✅ #1'],
    ]);
  });

  it('sends nothing for articles that did not come from an admin when no admin list is given', () => {
    const messages = createFakeDirectMessages();
    const t = commandSetup();
    const receipts = createReceipts({ messages, channelInfo: () => CHANNEL, timezone: 'UTC', log: t.log });
    receipts.posted!(article({ source: 'cli:editor' }), delivery);
    receipts.failed!(article({ source: 'feed:3' }), 'x');
    expect(messages.sent).toEqual([]);
  });
});
