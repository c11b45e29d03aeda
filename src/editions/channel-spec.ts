/**
 * A channel Newsdesk posts to, as the registry resolves it (issue 15, the contract between the
 * registry and delivery). Pure types: every layer may import this file.
 */
export interface ChannelSpec {
  /** Short name, CHANNEL_NAME regex in src/config.ts. */
  name: string;
  /** '…@newsletter' id or invite link ('outbox' in a dry run). */
  target: string;
  /** null or []: no category filter. */
  categories: string[] | null;
  /** null or []: no feed filter. */
  feeds: number[] | null;
  paused: boolean;
  /** Resolved: the global defaults filled in. quietHours like '23:00-07:00', null for none. */
  pacing: { minGapMs: number; maxPerHour: number; quietHours: string | null };
  digest: { times: string[]; top: number; mode: 'besides' | 'instead' } | null;
  /** The NEWSDESK_CHANNEL / NEWSDESK_CHANNEL_NAME channel from config. */
  isDefault: boolean;
}

/** What the configuration says about channels: the default one and the global pacing. */
export interface ChannelDefaults {
  /** NEWSDESK_CHANNEL_NAME (default main). */
  name: string;
  /** NEWSDESK_CHANNEL as written ('outbox' when unset, i.e. a dry run). */
  target: string;
  minGapMs: number;
  maxPerHour: number;
  /** NEWSDESK_QUIET_HOURS as minutes after local midnight, or null. */
  quietHours: { startMinute: number; endMinute: number } | null;
}

/** `HH:MM` for minutes after midnight. */
export function clockTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Quiet hours as `23:00-07:00`, or null. */
export function quietHoursText(q: { startMinute: number; endMinute: number } | null): string | null {
  return q ? `${clockTime(q.startMinute)}-${clockTime(q.endMinute)}` : null;
}
