import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explainCronProblem, startWakeSchedule } from '../../src/dispatch/wake-schedule.js';

/**
 * The wake schedule over the real node-cron, driven by vitest's fake clock (node-cron reads `new Date()`
 * and waits with setTimeout, both faked here): no test waits for a real minute.
 */

describe('explainCronProblem', () => {
  it('null for a valid expression', () => {
    expect(explainCronProblem('*/5 * * * *')).toBeNull();
  });

  it('names every field that is wrong, one after the other', () => {
    expect(explainCronProblem('61 25 * * *')).toBe('minute: 61 is a invalid expression for minute; hour: 25 is a invalid expression for hour');
    expect(explainCronProblem('every minute')).toBe('expression: expected 5 or 6 fields but got 2');
  });

  it('the default every minute is valid; an empty expression is not', () => {
    expect(explainCronProblem('* * * * *')).toBeNull();
    expect(explainCronProblem('')).not.toBeNull();
  });
});

describe('startWakeSchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(new Date('2026-03-01T00:00:00.000Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks in the configured time zone, passing each tick its time, until stopped', async () => {
    const ticks: Date[] = [];
    // 09:00 in Kolkata is 03:30 UTC.
    const schedule = startWakeSchedule('0 9 * * *', 'Asia/Kolkata', (at) => ticks.push(at));
    expect(schedule.nextTick()?.toISOString()).toBe('2026-03-01T03:30:00.000Z');

    await vi.advanceTimersByTimeAsync(3.5 * 3_600_000 - 1_000);
    expect(ticks).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ticks.map((t) => t.toISOString())).toEqual(['2026-03-01T03:30:00.000Z']);
    expect(schedule.nextTick()?.toISOString()).toBe('2026-03-02T03:30:00.000Z');

    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(ticks).toHaveLength(2);

    await schedule.stop();
    await vi.advanceTimersByTimeAsync(3 * 24 * 3_600_000);
    expect(ticks).toHaveLength(2);
  });

  it('ticks missed while the process was frozen are skipped without a console line, and ticking resumes', async () => {
    const warn = vi.spyOn(console, 'warn');
    const ticks: Date[] = [];
    const schedule = startWakeSchedule('* * * * *', 'UTC', (at) => ticks.push(at));
    await vi.advanceTimersByTimeAsync(60_000 + 500);
    expect(ticks.map((t) => t.toISOString())).toEqual(['2026-03-01T00:01:00.000Z']);
    // The event loop stalls for ten minutes: the clock jumps, no timer runs meanwhile.
    vi.setSystemTime(new Date('2026-03-01T00:11:30.000Z'));
    // The timer armed for 00:02 fires late, at about 00:12:30: 00:02 to 00:12 are missed, none replayed.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks.map((t) => t.toISOString())).toEqual(['2026-03-01T00:01:00.000Z', '2026-03-01T00:13:00.000Z']);
    expect(warn).not.toHaveBeenCalled();
    await schedule.stop();
    warn.mockRestore();
  });
});
