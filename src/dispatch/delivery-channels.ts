import type { ChannelSpec } from '../editions/channel-spec.js';
import type { DeliveryChannel } from './dispatcher.js';
import { parseQuietHours } from './pacing.js';

/**
 * The dispatcher's view of the registry: each channel's name, pause and pacing, read again only when
 * the registry's revision moved (a `channel add`, `pause` or `set` by any process). Quiet hours the
 * registry validated when they were set; one that no longer parses is logged by the caller's boundary.
 */
export function createDeliveryChannels(registry: { list(): ChannelSpec[]; revision(): number }) {
  let known: { revision: number; channels: DeliveryChannel[]; specs: ChannelSpec[] } | null = null;
  const refresh = () => {
    const revision = registry.revision();
    if (known?.revision !== revision) {
      const specs = registry.list();
      known = {
        revision,
        specs,
        channels: specs.map((s) => ({
          name: s.name,
          paused: s.paused,
          pacing: { minGapMs: s.pacing.minGapMs, maxPerHour: s.pacing.maxPerHour, quietHours: s.pacing.quietHours ? parseQuietHours(s.pacing.quietHours) : null },
        })),
      };
    }
    return known;
  };
  return {
    /** The channels to post to, for createDispatcher's `channels`. */
    channels: (): DeliveryChannel[] => refresh().channels,
    /** One channel's registry entry (its target, for the invite link in templates), or undefined. */
    spec: (name: string): ChannelSpec | undefined => refresh().specs.find((s) => s.name === name),
  };
}
