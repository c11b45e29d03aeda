import type { Clock } from '../clock.js';
import type { ChannelStatus } from './channel.js';

/** Holds a channel's current status and tells subscribers when it changes. */
export function createStatusHolder(clock: Clock, initial: Omit<ChannelStatus, 'since'>) {
  let current: ChannelStatus = { ...initial, since: clock.now() };
  const listeners = new Set<(s: ChannelStatus) => void>();
  return {
    get: (): ChannelStatus => current,
    set(next: Omit<ChannelStatus, 'since'>): void {
      if (next.state === current.state && next.detail === current.detail) return;
      current = { ...next, since: clock.now() };
      for (const listener of [...listeners]) listener(current);
    },
    subscribe(listener: (s: ChannelStatus) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
