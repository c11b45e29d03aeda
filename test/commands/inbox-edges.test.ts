import { describe, expect, it } from 'vitest';
import type { ChannelInfo } from '../../src/channel/channel.js';
import { createInbox, DENIED_ROWS_PER_WINDOW, DENIED_TEXT_MAX, DENIED_WINDOW_MS, SUBSCRIBE_REPLIES_PER_WINDOW, SUBSCRIBE_WINDOW_MS } from '../../src/commands/inbox.js';
import { createFakeDirectMessages, incoming } from '../fakes/fake-direct-messages.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * The WhatsApp door's edges: which chats count as direct messages, the exact replies, where each
 * window and limit starts and ends, and what the sampled log and audit rows say.
 */

const CHANNEL: ChannelInfo = { id: '120363000000000001@newsletter', name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaHarianNews0000000' };

function setup(channelInfo: () => ChannelInfo | null = () => CHANNEL) {
  const t = commandSetup();
  const messages = createFakeDirectMessages();
  const inbox = createInbox({ core: t.core, messages, audit: t.ctx.audit, admins: ['60123456789'], channelInfo, clock: t.clock, log: t.log });
  const denied = () => t.db.prepare(`SELECT actor, command, detail FROM audit_log WHERE outcome = 'denied' ORDER BY id`).all() as { actor: string; command: string; detail: string }[];
  return { ...t, messages, inbox, denied };
}

const reader = (n: number) => ({ chatId: `6019${String(n).padStart(7, '0')}@c.us`, senderPhone: `6019${String(n).padStart(7, '0')}` });

describe('which messages are direct messages', () => {
  it.each([
    ['60123456789@s.whatsapp.net', 'command'],
    ['147258369012345@lid', 'command'],
    ['60123456789@c.us', 'command'],
    ['60123456789@c.us.example', 'ignored'],
    ['60123456789@c_us', 'ignored'],
    ['120363111111111111@g.us', 'ignored'],
  ])('an admin command from %s is %s', async (chatId, outcome) => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ chatId, body: '/status' }))).toBe(outcome);
  });

  it('a message without text, or only spaces, is ignored', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ body: undefined as unknown as string }))).toBe('ignored');
    expect(await t.inbox.handle(incoming({ body: '  \n ' }))).toBe('ignored');
    expect(t.messages.replies).toEqual([]);
    expect(t.entries.filter((e) => e.level === 'error')).toEqual([]);
  });
});

describe('replies to readers', () => {
  it('the subscribe reply names the channel and gives its link, word for word', async () => {
    const t = setup();
    await t.inbox.handle(incoming({ ...reader(1), body: 'subscribe.' }));
    expect(t.messages.replies).toEqual([
      { chatId: reader(1).chatId, text: 'Follow Harian News on WhatsApp for breaking news alerts:\nhttps://whatsapp.com/channel/0029VaHarianNews0000000\n\nOpen the link and tap "Follow".' },
    ]);
  });

  it('without a known invite link the reader is told to try later', async () => {
    for (const info of [null, { ...CHANNEL, inviteLink: null }]) {
      const t = setup(() => info as ChannelInfo | null);
      expect(await t.inbox.handle(incoming({ ...reader(2), body: 'join' }))).toBe('subscribe-reply');
      expect(t.messages.replies[0]?.text).toBe('Thanks for your interest! Our WhatsApp channel link is not available right now; please try again later.');
    }
  });

  it.each([
    ['!follow', 'subscribe-reply'],
    ['/subscribe?!', 'subscribe-reply'],
    ['(hi)', 'silent'],
    ['hi there', 'silent'],
    ['subscribe me', 'silent'],
    ['//subscribe', 'denied'],
    ['/join us', 'denied'],
    ['/ hi', 'subscribe-reply'],
    ['h/i', 'silent'],
    ['.hi', 'silent'],
  ])('a reader writing %j: %s', async (body, outcome) => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ ...reader(3), body }))).toBe(outcome);
  });
});

describe('the per-reader cooldown', () => {
  it('is ten minutes to the millisecond', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ ...reader(40), body: 'hi' }))).toBe('subscribe-reply');
    t.clock.advance(599_999);
    expect(await t.inbox.handle(incoming({ ...reader(40), body: 'hi' }))).toBe('rate-limited');
    t.clock.advance(1);
    expect(await t.inbox.handle(incoming({ ...reader(40), body: 'hi' }))).toBe('subscribe-reply');
  });

  it('follows the phone number across chat ids; readers without a known number are told apart by chat', async () => {
    const t = setup();
    expect(await t.inbox.handle(incoming({ chatId: '60190000041@c.us', senderPhone: '60190000041', body: 'hi' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ chatId: '4100000000001@lid', senderPhone: '60190000041', body: 'hi' }))).toBe('rate-limited');
    expect(await t.inbox.handle(incoming({ chatId: '4200000000001@lid', senderPhone: null, body: 'hi' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ chatId: '4200000000002@lid', senderPhone: null, body: 'hi' }))).toBe('subscribe-reply');
  });
});

describe('the global subscribe cap', () => {
  it('starts over exactly one window after its first reply, and says how many went unanswered', async () => {
    const t = setup();
    for (let n = 0; n < SUBSCRIBE_REPLIES_PER_WINDOW + 5; n += 1) await t.inbox.handle(incoming({ ...reader(n), body: 'hi' }));
    const capped = t.entries.filter((e) => e.msg === 'subscribe replies capped for everyone until the window ends');
    expect(capped.map((e) => e.obj)).toEqual([{ cap: SUBSCRIBE_REPLIES_PER_WINDOW, windowMinutes: 10 }]);

    t.clock.advance(SUBSCRIBE_WINDOW_MS - 1);
    expect(await t.inbox.handle(incoming({ ...reader(500), body: 'hi' }))).toBe('rate-limited');
    t.clock.advance(1);
    expect(await t.inbox.handle(incoming({ ...reader(501), body: 'hi' }))).toBe('subscribe-reply');
    const unanswered = t.entries.filter((e) => e.msg.startsWith('subscribe requests left unanswered'));
    expect(unanswered.map((e) => e.obj)).toEqual([{ unanswered: 6 }]);
    // A quiet window that capped nothing is not reported.
    t.clock.advance(SUBSCRIBE_WINDOW_MS);
    await t.inbox.handle(incoming({ ...reader(502), body: 'hi' }));
    expect(t.entries.filter((e) => e.msg.startsWith('subscribe requests left unanswered'))).toHaveLength(1);
  });
});

describe('forgetting readers', () => {
  it('after 1,000 answered readers, those answered in the last 10 minutes are still held back', async () => {
    const t = setup();
    for (let n = 0; n < 1_000; n += 1) {
      if (n > 0 && n % SUBSCRIBE_REPLIES_PER_WINDOW === 0) t.clock.advance(SUBSCRIBE_WINDOW_MS);
      expect(await t.inbox.handle(incoming({ ...reader(n), body: 'hi' }))).toBe('subscribe-reply');
    }
    // The 1,001st reply makes the inbox forget: only readers whose 10 minutes are over may go.
    expect(await t.inbox.handle(incoming({ ...reader(1_000), body: 'hi' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ ...reader(999), body: 'hi' }))).toBe('rate-limited');
    expect(await t.inbox.handle(incoming({ ...reader(0), body: 'hi' }))).toBe('subscribe-reply');
  });
});

describe('commands from non-admins', () => {
  it('the audit row keeps the command up to the limit exactly, and cuts one character more', async () => {
    const t = setup();
    const exact = `/${'x'.repeat(DENIED_TEXT_MAX - 1)}`;
    await t.inbox.handle(incoming({ ...reader(10), body: exact }));
    await t.inbox.handle(incoming({ ...reader(11), body: `${exact}y` }));
    expect(t.denied().map((r) => r.command)).toEqual([exact, `${exact}…`]);
  });

  it('an unresolved sender is named by its chat id, cut to 80 characters; the log shows the first 60 characters, made printable', async () => {
    const t = setup();
    const chatId = `${'9'.repeat(100)}@lid`;
    await t.inbox.handle(incoming({ chatId, senderPhone: null, body: `/pause \u001b[2J ${'z'.repeat(80)}` }));
    expect(t.denied()).toEqual([{ actor: chatId.slice(0, 80), command: `/pause \u001b[2J ${'z'.repeat(80)}`, detail: 'not an admin' }]);
    const logged = t.entries.filter((e) => e.msg === 'command from a non-admin ignored');
    expect(logged.map((e) => e.obj)).toEqual([{ sender: chatId.slice(0, 80), command: `/pause \u241b[2J ${'z'.repeat(60 - 12)}` }]);
  });

  it('one sender is sampled until exactly one window after its recorded row', async () => {
    const t = setup();
    await t.inbox.handle(incoming({ ...reader(20), body: '/pause' }));
    t.clock.advance(DENIED_WINDOW_MS - 1);
    await t.inbox.handle(incoming({ ...reader(20), body: '/resume' }));
    expect(t.denied()).toHaveLength(1);
    t.clock.advance(1);
    await t.inbox.handle(incoming({ ...reader(20), body: '/status' }));
    expect(t.denied().map((r) => r.detail)).toEqual([
      'not an admin',
      'not an admin (and 1 more commands from this sender in the previous window, not recorded)',
    ]);
  });

  it('past the global cap the rest are counted: one warning, then one summary row and warning when the next window starts', async () => {
    const t = setup();
    for (let n = 0; n < DENIED_ROWS_PER_WINDOW + 3; n += 1) await t.inbox.handle(incoming({ ...reader(n), body: '/status' }));
    expect(t.denied()).toHaveLength(DENIED_ROWS_PER_WINDOW);
    const capWarnings = t.entries.filter((e) => e.msg.startsWith('commands from non-admins: audit cap reached'));
    expect(capWarnings.map((e) => e.obj)).toEqual([{ cap: DENIED_ROWS_PER_WINDOW }]);

    t.clock.advance(DENIED_WINDOW_MS - 1);
    await t.inbox.handle(incoming({ ...reader(900), body: '/status' }));
    expect(t.denied()).toHaveLength(DENIED_ROWS_PER_WINDOW); // still the capped window: counted
    t.clock.advance(1);
    await t.inbox.handle(incoming({ ...reader(901), body: '/status' }));
    const detail = '4 commands from non-admins were not recorded in the previous 10 minutes: more than 100 senders';
    expect(t.denied().slice(DENIED_ROWS_PER_WINDOW)).toEqual([
      { actor: 'non-admins', command: '(not recorded)', detail },
      { actor: '+60190000901', command: '/status', detail: 'not an admin' },
    ]);
    expect(t.entries.filter((e) => e.msg === detail).map((e) => e.obj)).toEqual([{ unrecorded: 4 }]);
  });
});

describe('the error boundary', () => {
  it('a failure is logged with the chat it came from', async () => {
    const t = setup();
    t.messages.reply = async () => {
      throw new Error('not connected');
    };
    expect(await t.inbox.handle(incoming({ body: 'status' }))).toBe('ignored');
    const logged = t.entries.find((e) => e.msg === 'could not handle an incoming message');
    expect(logged?.obj).toMatchObject({ chatId: '60123456789@c.us', err: { message: 'not connected' } });
  });

  it('listen hands every incoming message to the inbox until stopped', async () => {
    const t = setup();
    const stop = t.inbox.listen();
    await t.messages.deliver({ ...reader(30), body: 'hi' });
    expect(t.messages.replies).toHaveLength(1);
    stop();
    await t.messages.deliver({ ...reader(31), body: 'hi' });
    expect(t.messages.replies).toHaveLength(1);
  });
});
