import { describe, expect, it } from 'vitest';
import { createDeliveryChannels } from '../../src/dispatch/delivery-channels.js';
import type { ChannelSpec } from '../../src/editions/channel-spec.js';
import { channelSpec } from '../helpers/channel-spec.js';

/** A registry whose list and revision the test moves by hand, counting the reads of its list. */
function registry(specs: ChannelSpec[]) {
  const r = { specs, rev: 1, lists: 0 };
  return {
    r,
    view: {
      list: () => {
        r.lists += 1;
        return r.specs;
      },
      revision: () => r.rev,
    },
  };
}

describe('delivery channels (the dispatcher view of the registry)', () => {
  it("gives each channel's name, pause and pacing, quiet hours parsed (none stays null)", () => {
    const { view } = registry([
      channelSpec('main', { pacing: { minGapMs: 120_000, maxPerHour: 6, quietHours: '23:00-07:30' } }),
      channelSpec('sport', { paused: true, pacing: { minGapMs: 0, maxPerHour: 0, quietHours: null } }),
    ]);
    expect(createDeliveryChannels(view).channels()).toEqual([
      { name: 'main', paused: false, pacing: { minGapMs: 120_000, maxPerHour: 6, quietHours: { startMinute: 23 * 60, endMinute: 7 * 60 + 30 } } },
      { name: 'sport', paused: true, pacing: { minGapMs: 0, maxPerHour: 0, quietHours: null } },
    ]);
  });

  it('reads the registry list again only when its revision moved', () => {
    const { r, view } = registry([channelSpec('main')]);
    const delivery = createDeliveryChannels(view);
    delivery.channels();
    delivery.channels();
    delivery.spec('main');
    expect(r.lists).toBe(1);
    r.specs = [channelSpec('main', { paused: true }), channelSpec('sport')];
    expect(delivery.channels().map((c) => c.paused)).toEqual([false]); // same revision: the view kept
    r.rev = 2;
    expect(delivery.channels().map((c) => [c.name, c.paused])).toEqual([
      ['main', true],
      ['sport', false],
    ]);
    expect(r.lists).toBe(2);
  });

  it("finds one channel's registry entry by name, undefined for an unknown name", () => {
    const sport = channelSpec('sport', { target: 'https://whatsapp.com/channel/0029Sport' });
    const { view } = registry([channelSpec('main'), sport]);
    const delivery = createDeliveryChannels(view);
    expect(delivery.spec('sport')).toBe(sport);
    expect(delivery.spec('weather')).toBeUndefined();
  });
});
