import type { ChannelSpec } from '../../src/editions/channel-spec.js';

/** A registry channel for routing tests: no filters, no pacing, not the default unless said. */
export const channelSpec = (name: string, over: Partial<ChannelSpec> = {}): ChannelSpec => ({
  name,
  target: `${name}@newsletter`,
  categories: null,
  feeds: null,
  paused: false,
  pacing: { minGapMs: 0, maxPerHour: 0, quietHours: null },
  digest: null,
  isDefault: false,
  ...over,
});
