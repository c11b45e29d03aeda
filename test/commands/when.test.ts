import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../src/commands/when.js';

const BERLIN = 'Europe/Berlin';
const local = (ms: number) => DateTime.fromMillis(ms, { zone: BERLIN }).toFormat('yyyy-MM-dd HH:mm ZZ');
const at = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();
const when = (text: string, now: number) => {
  const r = parseWhen(text, now, BERLIN);
  if (!r.ok) throw new Error(r.error);
  return r.at;
};

describe('parseWhen', () => {
  it('reads 18:30 as its next occurrence, today or tomorrow', () => {
    expect(local(when('18:30', at('2026-06-01T12:00')))).toBe('2026-06-01 18:30 +02:00');
    expect(local(when('18:30', at('2026-06-01T19:00')))).toBe('2026-06-02 18:30 +02:00');
    expect(local(when('8.05', at('2026-06-01T07:00')))).toBe('2026-06-01 08:05 +02:00');
  });

  it('reads relative times and ISO date-times, with or without an offset', () => {
    const now = at('2026-06-01T12:00');
    expect(when('+45m', now) - now).toBe(45 * 60_000);
    expect(when('+2h', now) - now).toBe(2 * 3_600_000);
    expect(when('+1d', now) - now).toBe(86_400_000);
    expect(local(when('2026-06-02T08:00', now))).toBe('2026-06-02 08:00 +02:00');
    expect(local(when('2026-06-02 08:00', now))).toBe('2026-06-02 08:00 +02:00');
    expect(when('2026-06-02T08:00Z', now)).toBe(Date.UTC(2026, 5, 2, 8, 0));
  });

  it('moves a wall time that does not exist (spring forward) to the first minute that does', () => {
    expect(local(when('02:30', at('2026-03-28T23:00')))).toBe('2026-03-29 03:30 +02:00');
  });

  it('takes the first of a wall time that happens twice (fall back), so the post is neither skipped nor doubled', () => {
    expect(local(when('02:30', at('2026-10-24T23:00')))).toBe('2026-10-25 02:30 +02:00');
    expect(local(when('2026-10-25T02:30', at('2026-10-24T23:00')))).toBe('2026-10-25 02:30 +02:00');
  });

  it('refuses times in the past, too far ahead, or unreadable, saying what works', () => {
    const now = at('2026-06-01T12:00');
    expect(parseWhen('2026-05-01T08:00', now, BERLIN)).toEqual({ ok: false, error: expect.stringMatching(/is in the past .* use 18:30/) });
    expect(parseWhen('+400d', now, BERLIN)).toEqual({ ok: false, error: expect.stringMatching(/more than a year ahead/) });
    expect(parseWhen('+0m', now, BERLIN)).toEqual({ ok: false, error: expect.stringMatching(/not in the future/) });
    expect(parseWhen('25:00', now, BERLIN)).toMatchObject({ ok: false });
    expect(parseWhen('noonish', now, BERLIN)).toEqual({ ok: false, error: expect.stringMatching(/cannot read the time "noonish"/) });
  });
});
