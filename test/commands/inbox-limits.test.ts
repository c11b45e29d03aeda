import { describe, expect, it } from 'vitest';
import {
  createInbox,
  DENIED_ROWS_PER_WINDOW,
  DENIED_TEXT_MAX,
  DENIED_WINDOW_MS,
  SUBSCRIBE_REPLIES_PER_WINDOW,
  SUBSCRIBE_WINDOW_MS,
} from '../../src/commands/inbox.js';
import { createFakeDirectMessages, incoming } from '../fakes/fake-direct-messages.js';
import { commandSetup } from '../helpers/command-setup.js';

const CHANNEL = { id: '120363000000000001@newsletter', name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaHarianNews0000000' };

function setup() {
  const t = commandSetup();
  const messages = createFakeDirectMessages();
  const inbox = createInbox({ core: t.core, messages, audit: t.ctx.audit, admins: ['60123456789'], channelInfo: () => CHANNEL, clock: t.clock, log: t.log });
  const rows = () => t.db.prepare(`SELECT actor, command, detail FROM audit_log WHERE outcome = 'denied' ORDER BY id`).all() as { actor: string; command: string; detail: string }[];
  return { ...t, messages, inbox, rows };
}

const stranger = (n: number) => ({ chatId: `6019${String(n).padStart(7, '0')}@c.us`, senderPhone: `6019${String(n).padStart(7, '0')}` });

describe('non-admins cannot grow the database without bound', () => {
  it('one sender flooding long commands gets one short audit row per window; the next row counts the rest', async () => {
    const t = setup();
    const long = `/breaking ${'x'.repeat(1_990)}`;
    for (let i = 0; i < 3_000; i += 1) expect(await t.inbox.handle(incoming({ ...stranger(1), body: long }))).toBe('denied');
    expect(t.rows()).toEqual([{ actor: '+60190000001', command: `${long.slice(0, DENIED_TEXT_MAX)}…`, detail: 'not an admin' }]);
    expect(t.entries.filter((e) => e.msg.startsWith('command from a non-admin'))).toHaveLength(1);

    t.clock.advance(DENIED_WINDOW_MS);
    await t.inbox.handle(incoming({ ...stranger(1), body: '/pause' }));
    expect(t.rows()).toHaveLength(2);
    expect(t.rows()[1]).toMatchObject({ command: '/pause', detail: expect.stringContaining('2999 more commands from this sender') });
    expect(t.ctx.settings.isPaused()).toBe(false);
    expect(t.messages.replies).toEqual([]);
  });

  it('many senders: at most the global cap of rows per window, the rest counted in one row', async () => {
    const t = setup();
    for (let n = 0; n < 1_000; n += 1) await t.inbox.handle(incoming({ ...stranger(n), body: `/queue spam ${n} | https://spam.example/${n}` }));
    expect(t.rows()).toHaveLength(DENIED_ROWS_PER_WINDOW);
    t.clock.advance(DENIED_WINDOW_MS);
    await t.inbox.handle(incoming({ ...stranger(5_000), body: '/status' }));
    const rows = t.rows();
    expect(rows).toHaveLength(DENIED_ROWS_PER_WINDOW + 2);
    expect(rows.at(-2)).toMatchObject({ actor: 'non-admins', detail: expect.stringMatching(/^900 commands from non-admins were not recorded/) });
    expect(t.snapshot().articles).toEqual([]);
  });

  it('past 10,000 senders in one window the oldest is forgotten (its count starts again), the others are not', async () => {
    const t = setup();
    // Sender 0 twice (a row, then counted for it); 10,000 others; then sender 0 and sender 5,000 again.
    for (let i = 0; i < 2; i += 1) await t.inbox.handle(incoming({ ...stranger(0), body: '/pause' }));
    for (let n = 1; n <= 10_000; n += 1) await t.inbox.handle(incoming({ ...stranger(n), body: '/status' }));
    await t.inbox.handle(incoming({ ...stranger(0), body: '/pause' }));
    await t.inbox.handle(incoming({ ...stranger(5_000), body: '/status' }));
    t.clock.advance(DENIED_WINDOW_MS);
    await t.inbox.handle(incoming({ ...stranger(0), body: '/pause' }));
    const [summary, last] = t.rows().slice(-2);
    // 9,901 of the others over the cap of 100 rows, and sender 0's third (forgotten: a new sender over the
    // cap); sender 5,000's second is counted for it, as it is still remembered.
    expect(summary).toMatchObject({ actor: 'non-admins', detail: expect.stringMatching(/^9902 commands from non-admins were not recorded/) });
    // Sender 0's count started again when it was forgotten: its one command since is not "more".
    expect(last).toEqual({ actor: '+60190000000', command: '/pause', detail: 'not an admin' });
  });

  it('below 10,000 senders none is forgotten, even after its window: its next row counts what was not recorded', async () => {
    const t = setup();
    for (let i = 0; i < 2; i += 1) await t.inbox.handle(incoming({ ...stranger(1), body: '/pause' }));
    t.clock.advance(DENIED_WINDOW_MS);
    await t.inbox.handle(incoming({ ...stranger(2), body: '/status' }));
    await t.inbox.handle(incoming({ ...stranger(1), body: '/pause' }));
    expect(t.rows().at(-1)).toEqual({
      actor: '+60190000001',
      command: '/pause',
      detail: 'not an admin (and 1 more commands from this sender in the previous window, not recorded)',
    });
  });

  it('subscribe replies: once per sender per 10 minutes, and at most the global cap for everyone per window', async () => {
    const t = setup();
    const outcomes: string[] = [];
    for (let n = 0; n < 500; n += 1) outcomes.push(await t.inbox.handle(incoming({ ...stranger(n), body: 'subscribe' })));
    expect(t.messages.replies).toHaveLength(SUBSCRIBE_REPLIES_PER_WINDOW);
    expect(outcomes.filter((o) => o === 'rate-limited')).toHaveLength(500 - SUBSCRIBE_REPLIES_PER_WINDOW);
    expect(t.entries.filter((e) => e.msg.startsWith('subscribe replies capped'))).toHaveLength(1);

    t.clock.advance(SUBSCRIBE_WINDOW_MS);
    // A sender left unanswered may ask again in the next window; one already answered gets its cooldown only.
    expect(await t.inbox.handle(incoming({ ...stranger(499), body: 'join' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ ...stranger(0), body: 'join' }))).toBe('subscribe-reply');
    expect(await t.inbox.handle(incoming({ ...stranger(0), body: 'join' }))).toBe('rate-limited');
  });
});
