import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInbox } from '../../src/commands/inbox.js';
import { createFakeDirectMessages, incoming } from '../fakes/fake-direct-messages.js';
import { commandSetup } from '../helpers/command-setup.js';

const ADMIN = '60123456789';
const NAMES = ['queue', 'breaking', 'schedule', 'preview', 'list', 'show', 'cancel', 'retry', 'pause', 'resume', 'status', 'log', 'channel', 'help', 'audit', 'subscribe', 'hi', 'drop'];

/** Text that looks like commands: a prefix, a known or odd name, and pieces that commands parse. */
const commandish = fc
  .tuple(
    fc.constantFrom('/', '!', '', ' /', '//'),
    fc.constantFrom(...NAMES).chain((n) => fc.constantFrom(n, n.toUpperCase())),
    fc.array(
      fc.oneof(
        fc.string({ maxLength: 40, unit: 'grapheme' }),
        fc.constantFrom('|', ' | ', '18:30', '+45m', '2020-01-01T00:00', '#1', '1', '0', '999999', 'all', 'posted', '\n', '*', '_', '~', '`', "'; DROP TABLE articles;--", '‮', '🇲🇾', 'مرحبا', 'javascript:alert(1)'),
        fc.webUrl(),
      ),
      { maxLength: 8 },
    ),
  )
  .map(([prefix, name, parts]) => `${prefix}${name} ${parts.join('')}`);

/** Well-formed commands with arbitrary text inside, so the writing paths are reached often. */
const wellFormed = fc
  .tuple(
    fc.constantFrom('/queue', '!breaking', '/schedule +45m', '/schedule 23:59', '/cancel', '/retry', '/pause', '/resume'),
    fc.string({ minLength: 1, maxLength: 120, unit: 'grapheme' }),
    fc.string({ maxLength: 300, unit: 'grapheme' }),
    fc.webUrl(),
    fc.integer({ min: 1, max: 40 }),
  )
  .map(([cmd, headline, summary, url, id]) =>
    cmd === '/cancel' || cmd === '/retry' ? `${cmd} ${id}` : cmd === '/pause' || cmd === '/resume' ? cmd : `${cmd} ${headline} | ${summary} | ${url}`,
  );

const body = fc.oneof(wellFormed, commandish, fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ minLength: 9_000, maxLength: 10_500 }));
const sender = fc.oneof(
  fc.constant({ chatId: `${ADMIN}@c.us`, senderPhone: ADMIN as string | null }),
  fc.constant({ chatId: '1234567890123@lid', senderPhone: ADMIN as string | null }),
  fc.constant({ chatId: '60198765432@c.us', senderPhone: '60198765432' as string | null }),
  fc.constant({ chatId: '999@lid', senderPhone: null as string | null }),
  fc.constant({ chatId: '120363111111111111@g.us', senderPhone: ADMIN as string | null }),
  fc.constant({ chatId: '120363000000000001@newsletter', senderPhone: null as string | null }),
);
const message = fc.record({ body, who: sender, fromMe: fc.boolean(), isStatus: fc.boolean() });

describe('inbox and parser under generated input (property)', () => {
  it('never throws and writes only for valid admin commands, over 10,000 messages', async () => {
    const t = commandSetup();
    const messages = createFakeDirectMessages();
    const inbox = createInbox({ core: t.core, messages, audit: t.ctx.audit, admins: [ADMIN], channelInfo: () => null, clock: t.clock, log: t.log });
    const state = () => JSON.stringify([
      t.db.prepare('SELECT COUNT(*) AS n, TOTAL(id * 31 + updated_at + attempts) AS h, GROUP_CONCAT(status) AS s FROM articles').get(),
      t.db.prepare('SELECT GROUP_CONCAT(key || value) AS s FROM settings').get(),
    ]);
    let admitted = 0;

    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const before = state();
        const auditBefore = t.ctx.audit.recent(1)[0]?.id ?? 0;
        const outcome = await inbox.handle(incoming({ ...m.who, body: m.body, fromMe: m.fromMe, isStatus: m.isStatus }));
        const after = state();
        const isAdminDirect = !m.fromMe && !m.isStatus && m.who.senderPhone === ADMIN && /@(c\.us|lid)$/.test(m.who.chatId);
        if (!isAdminDirect) {
          expect(after).toBe(before);
          expect(['ignored', 'denied', 'silent', 'subscribe-reply', 'rate-limited']).toContain(outcome);
          return;
        }
        if (after !== before) {
          // Something was written: it must have been a command that succeeded.
          admitted += 1;
          expect(outcome).toBe('command');
          const last = t.ctx.audit.recent(1)[0]!;
          expect(last.id).toBeGreaterThan(auditBefore);
          expect(last.outcome).toBe('ok');
        }
      }),
      { numRuns: 10_000, seed: 20261126 },
    );
    expect(t.entries.filter((e) => e.level === 'error')).toEqual([]);
    // The generator must reach the writing paths, or this test proves little.
    expect(admitted).toBeGreaterThan(20);
  }, 120_000);

  it('a number close to an admin\'s (same tail, another country code, a digit more or less) never runs an admin command', async () => {
    const t = commandSetup();
    const messages = createFakeDirectMessages();
    const inbox = createInbox({ core: t.core, messages, audit: t.ctx.audit, admins: [ADMIN, '441632960961'], channelInfo: () => null, clock: t.clock, log: t.log });
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
    const near = fc.oneof(
      // The admin's last 4 to 10 digits behind any other country code or prefix.
      fc.tuple(digits(1, 4), fc.integer({ min: 4, max: ADMIN.length - 1 })).map(([prefix, keep]) => `${prefix}${ADMIN.slice(-keep)}`),
      // A digit added in front, inside or at the end, or one taken out.
      fc.tuple(fc.integer({ min: 0, max: ADMIN.length }), digits(1, 1)).map(([at, d]) => `${ADMIN.slice(0, at)}${d}${ADMIN.slice(at)}`),
      fc.integer({ min: 0, max: ADMIN.length - 1 }).map((at) => `${ADMIN.slice(0, at)}${ADMIN.slice(at + 1)}`),
      // One digit changed anywhere.
      fc.tuple(fc.integer({ min: 0, max: ADMIN.length - 1 }), digits(1, 1)).map(([at, d]) => `${ADMIN.slice(0, at)}${d}${ADMIN.slice(at + 1)}`),
    ).filter((phone) => phone !== ADMIN);
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(near, fc.constantFrom('c.us', 'lid'), async (phone, server) => {
        const outcome = await inbox.handle(incoming({ chatId: `${phone}@${server}`, senderPhone: phone, body: '/pause' }));
        expect(outcome, phone).toBe('denied');
        expect(t.ctx.settings.isPaused(), phone).toBe(false);
        checked += 1;
      }),
      { numRuns: 300, seed: 20261201 },
    );
    expect(checked).toBe(300);
    expect(messages.replies).toEqual([]);
    // The admin's own number does run it: the property above is not true merely because nothing runs.
    expect(await inbox.handle(incoming({ chatId: `${ADMIN}@c.us`, senderPhone: ADMIN, body: '/pause' }))).toBe('command');
    expect(t.ctx.settings.isPaused()).toBe(true);
  });
});
