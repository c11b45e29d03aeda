import { describe, expect, it } from 'vitest';
import { latestSlot, nextSlot, previousSlot } from '../../src/editions/digest-slots.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const BERLIN = 'Europe/Berlin';

describe('digest slots', () => {
  it('names the newest local time at or before now, across midnight, in the zone', () => {
    const times = ['08:00', '18:00'];
    expect(iso(latestSlot(times, 'Asia/Kuala_Lumpur', Date.UTC(2026, 11, 2, 0, 0)))).toBe('2026-12-02T00:00:00.000Z'); // 08:00 +08 exactly
    expect(iso(latestSlot(times, 'Asia/Kuala_Lumpur', Date.UTC(2026, 11, 1, 23, 59)))).toBe('2026-12-01T10:00:00.000Z'); // 18:00 the day before
    expect(iso(nextSlot(times, 'Asia/Kuala_Lumpur', Date.UTC(2026, 11, 2, 0, 0)))).toBe('2026-12-02T10:00:00.000Z');
    expect(iso(previousSlot(times, 'Asia/Kuala_Lumpur', Date.UTC(2026, 11, 2, 0, 0)))).toBe('2026-12-01T10:00:00.000Z');
    expect(latestSlot([], BERLIN, Date.UTC(2026, 11, 2))).toBeNull();
  });

  it('keeps the local time across daylight saving: 08:00 is 06:00Z in summer and 07:00Z in winter', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET in Berlin.
    expect(iso(latestSlot(['08:00'], BERLIN, Date.UTC(2026, 9, 24, 12, 0)))).toBe('2026-10-24T06:00:00.000Z');
    expect(iso(latestSlot(['08:00'], BERLIN, Date.UTC(2026, 9, 25, 12, 0)))).toBe('2026-10-25T07:00:00.000Z');
    // The day the clocks go back is 25 hours long: the slot before is 25 hours earlier.
    expect(Date.UTC(2026, 9, 25, 7) - previousSlot(['08:00'], BERLIN, Date.UTC(2026, 9, 25, 7))).toBe(25 * 3_600_000);
    // 2026-03-29 02:00 CET → 03:00 CEST: that day is 23 hours long.
    expect(Date.UTC(2026, 2, 29, 6) - previousSlot(['08:00'], BERLIN, Date.UTC(2026, 2, 29, 6))).toBe(23 * 3_600_000);
  });

  it('a time the clock skips falls just after the gap; a time it passes twice is one slot', () => {
    // 02:30 does not exist on 2026-03-29 in Berlin: the slot is 03:30 CEST (01:30Z), once.
    expect(iso(nextSlot(['02:30'], BERLIN, Date.UTC(2026, 2, 28, 12)))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextSlot(['02:30'], BERLIN, Date.UTC(2026, 2, 29, 1, 30)))).toBe('2026-03-30T00:30:00.000Z');
    // 02:30 happens twice on 2026-10-25 (00:30Z and 01:30Z): one slot, the same one from either side.
    const first = nextSlot(['02:30'], BERLIN, Date.UTC(2026, 9, 24, 12));
    expect(iso(first)).toBe('2026-10-25T01:30:00.000Z');
    expect(latestSlot(['02:30'], BERLIN, Date.UTC(2026, 9, 25, 1, 0))).toBe(Date.UTC(2026, 9, 24, 0, 30)); // 00:30Z is not a slot
    expect(iso(nextSlot(['02:30'], BERLIN, first!))).toBe('2026-10-26T01:30:00.000Z');
  });

  it('takes the times in any order, and finds tomorrow\'s slot early in a local day that is still yesterday in UTC', () => {
    const KL = 'Asia/Kuala_Lumpur';
    expect(iso(latestSlot(['18:00', '08:00'], KL, Date.UTC(2026, 11, 2, 12)))).toBe('2026-12-02T10:00:00.000Z'); // 20:00 local: 18:00
    expect(iso(nextSlot(['18:00', '08:00'], KL, Date.UTC(2026, 11, 2, 1)))).toBe('2026-12-02T10:00:00.000Z'); // 09:00 local: 18:00
    // 00:30 on 2 Dec in Kuala Lumpur is 16:30Z on 1 Dec; the next midnight there is 16:00Z on 2 Dec.
    expect(iso(nextSlot(['00:00'], KL, Date.UTC(2026, 11, 1, 16, 30)))).toBe('2026-12-02T16:00:00.000Z');
    expect(nextSlot([], KL, Date.UTC(2026, 11, 2))).toBeNull();
  });

  it('without times, the slot before is a day earlier', () => {
    expect(previousSlot([], BERLIN, Date.UTC(2026, 11, 2, 7))).toBe(Date.UTC(2026, 11, 1, 7));
  });
});
