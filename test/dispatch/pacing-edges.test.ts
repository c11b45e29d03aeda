import { describe, expect, it } from 'vitest';
import { checkPacing, parseQuietHours, type PacingHistory, type PacingRules } from '../../src/dispatch/pacing.js';
import { retryDelayMs, TimeoutError, withTimeout } from '../../src/dispatch/timing.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';

/** Pacing and timing at their edges: the quiet-hours grammar, which wait binds, the back-off curve. */
const MIN = 60_000;
const T = Date.UTC(2026, 5, 1, 10, 0); // 10:00 UTC
const rules = (over: Partial<PacingRules> = {}): PacingRules => ({
  minGapMs: 0, jitterMs: 0, maxPerHour: 0, quietHours: null, breakingInQuietHours: true, timezone: 'UTC', ...over,
});
const history = (over: Partial<PacingHistory> = {}): PacingHistory => ({ lastAttemptAt: null, jitterAfterLastMs: 0, startsInLastHour: [], ...over });

describe('parseQuietHours grammar', () => {
  it.each([
    ['23:30-07:15', { startMinute: 23 * 60 + 30, endMinute: 7 * 60 + 15 }],
    ['7:05-9:30', { startMinute: 7 * 60 + 5, endMinute: 9 * 60 + 30 }],
    ['06:00 - 21:00', { startMinute: 360, endMinute: 1260 }],
    [' 20:00-23:59 ', { startMinute: 1200, endMinute: 1439 }],
  ])('reads %j', (text, expected) => {
    expect(parseQuietHours(text)).toEqual(expected);
  });

  it.each(['x23:00-07:00', '23:00-07:00x', '24:00-07:00', '23:00-24:00', '23:60-07:00', '23:00x-07:00', '23:00-7'])('refuses %j', (text) => {
    expect(() => parseQuietHours(text)).toThrow('must look like 23:00-07:00');
  });
});

describe('checkPacing: which wait binds', () => {
  it('quiet hours within one day start at their first minute and end before their last', () => {
    const r = rules({ quietHours: parseQuietHours('12:30-14:00') });
    const at = (h: number, m: number) => Date.UTC(2026, 5, 1, h, m);
    expect(checkPacing(at(12, 29), 'normal', history(), r)).toEqual({ ok: true });
    expect(checkPacing(at(12, 30), 'normal', history(), r)).toEqual({ ok: false, until: at(14, 0), reason: 'quiet hours' });
    expect(checkPacing(at(10, 0), 'normal', history(), r)).toEqual({ ok: true });
    expect(checkPacing(at(15, 0), 'normal', history(), r)).toEqual({ ok: true });
  });

  it('the wait that ends last is the reason given; on a tie the first one found (the gap)', () => {
    const r = rules({ minGapMs: 30 * MIN, maxPerHour: 1 });
    // Gap ends at T+30m, cap at T-50m+1h = T+10m: the gap binds.
    const h = history({ lastAttemptAt: T, startsInLastHour: [T - 50 * MIN] });
    expect(checkPacing(T + MIN, 'normal', h, r)).toEqual({ ok: false, until: T + 30 * MIN, reason: 'minimum gap between posts' });
    // Cap ends later than the gap: the cap binds.
    const later = history({ lastAttemptAt: T, startsInLastHour: [T] });
    expect(checkPacing(T + MIN, 'normal', later, r)).toEqual({ ok: false, until: T + 60 * MIN, reason: 'hourly cap of 1 posts reached' });
    // Both end at the same moment.
    const tie = history({ lastAttemptAt: T, startsInLastHour: [T - 30 * MIN] });
    expect(checkPacing(T + MIN, 'normal', tie, rules({ minGapMs: 30 * MIN, maxPerHour: 1 }))).toEqual({ ok: false, until: T + 30 * MIN, reason: 'minimum gap between posts' });
  });
});

describe('timing', () => {
  it('retry delays double from 30 s per attempt up to 30 min, jittered between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 30_000, 30 * MIN, () => 1))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(3, 30_000, 30 * MIN, () => 0)).toBe(60_000);
    expect(retryDelayMs(10, 30_000, 30 * MIN, () => 1)).toBe(30 * MIN);
    expect(retryDelayMs(0, 30_000, 30 * MIN, () => 1)).toBe(30_000);
  });

  it('withTimeout rejects with a TimeoutError naming the step and the seconds; a prompt answer passes', async () => {
    const clock = createFakeClock();
    let outcome: unknown = null;
    void withTimeout(new Promise<string>(() => {}), 30_000, clock, 'sending the post').catch((err: unknown) => (outcome = err));
    await settle();
    clock.advance(29_999);
    await settle();
    expect(outcome).toBeNull();
    clock.advance(1);
    await settle();
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(outcome).toMatchObject({ name: 'TimeoutError', message: 'sending the post did not finish within 30 s' });
    expect(await withTimeout(Promise.resolve('ok'), 30_000, clock, 'x')).toBe('ok');
  });
});
