import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createInbox } from '../../src/commands/inbox.js';
import { createFakeDirectMessages, incoming } from '../fakes/fake-direct-messages.js';
import { commandSetup } from '../helpers/command-setup.js';

const ADMIN = '60123456789';

describe('admin numbers match whole (property)', () => {
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
