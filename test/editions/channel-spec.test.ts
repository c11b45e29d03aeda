import { describe, expect, it } from 'vitest';
import { clockTime, quietHoursText } from '../../src/editions/channel-spec.js';

describe('channel spec texts', () => {
  it('clockTime: HH:MM for minutes after midnight, zero-padded', () => {
    expect([clockTime(0), clockTime(5), clockTime(65), clockTime(605), clockTime(1_439)]).toEqual(['00:00', '00:05', '01:05', '10:05', '23:59']);
  });

  it('quietHoursText: start-end, or null for none', () => {
    expect(quietHoursText({ startMinute: 1_380, endMinute: 420 })).toBe('23:00-07:00');
    expect(quietHoursText(null)).toBeNull();
  });
});
