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
});
