import { DateTime } from 'luxon';
import type { Priority } from '../articles/article.js';

/** Quiet hours as minutes after local midnight; `start > end` spans midnight (23:00-07:00). */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/** How fast and when Newsdesk may post. */
export interface PacingRules {
  /** Minimum time between the starts of two attempts. */
  minGapMs: number;
  /** Extra random wait added to each gap, up to this much. */
  jitterMs: number;
  /** Most attempts in any 60 minutes; 0 = no cap. */
  maxPerHour: number;
  quietHours: QuietHours | null;
  /** Whether breaking articles may go out during quiet hours. */
  breakingInQuietHours: boolean;
  timezone: string;
}

/** What pacing knows about the past: when recent attempts started. */
export interface PacingHistory {
  /** Start of the most recent attempt, or null. */
  lastAttemptAt: number | null;
  /** Jitter drawn for the gap after the last attempt. */
  jitterAfterLastMs: number;
  /** Starts of attempts in the last hour, oldest first. */
  startsInLastHour: number[];
}

export type PacingVerdict = { ok: true } | { ok: false; until: number; reason: string };

const HOUR = 3_600_000;

/** Reads `23:00-07:00`. Returns null for an empty string; throws with a usable message on bad input. */
export function parseQuietHours(text: string): QuietHours | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const m = /^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)$/.exec(trimmed);
  if (!m) throw new Error('must look like 23:00-07:00 (start-end, 24-hour clock, local time)');
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (startMinute === endMinute) throw new Error('start and end are the same: leave it empty for no quiet hours');
  return { startMinute, endMinute };
}

/**
 * Whether an article of `priority` may start an attempt at `now`, and if not, until when it waits and
 * why. Pure: the dispatcher passes the history and the time.
 */
export function checkPacing(now: number, priority: Priority, history: PacingHistory, rules: PacingRules): PacingVerdict {
  const waits: { until: number; reason: string }[] = [];
  // Stryker disable next-line ConditionalExpression: with no last attempt the gap would end at minGapMs after 1970, long past
  if (history.lastAttemptAt !== null) {
    const gapEnd = history.lastAttemptAt + rules.minGapMs + history.jitterAfterLastMs;
    if (now < gapEnd) waits.push({ until: gapEnd, reason: 'minimum gap between posts' });
  }
  if (rules.maxPerHour > 0) {
    const recent = history.startsInLastHour.filter((t) => t > now - HOUR);
    if (recent.length >= rules.maxPerHour) {
      const oldestThatCounts = recent[recent.length - rules.maxPerHour]!;
      waits.push({ until: oldestThatCounts + HOUR, reason: `hourly cap of ${rules.maxPerHour} posts reached` });
    }
  }
  if (rules.quietHours && !(priority === 'breaking' && rules.breakingInQuietHours)) {
    const end = quietHoursEnd(now, rules.quietHours, rules.timezone);
    if (end !== null) waits.push({ until: end, reason: 'quiet hours' });
  }
  if (waits.length === 0) return { ok: true };
  // The binding constraint is the one that ends last.
  const latest = waits.reduce((a, b) => (b.until > a.until ? b : a));
  return { ok: false, until: latest.until, reason: latest.reason };
}

/**
 * If `now` falls in quiet hours (local time in `zone`), the epoch ms at which they end; else null.
 * Wall-clock based, so on daylight-saving days the quiet period is as long as the clock says, and an
 * end time that does not exist that day (spring forward) moves on to the next valid minute.
 */
export function quietHoursEnd(now: number, quiet: QuietHours, zone: string): number | null {
  const local = DateTime.fromMillis(now, { zone });
  const minute = local.hour * 60 + local.minute;
  // Stryker disable next-line EqualityOperator: start and end are never equal (parseQuietHours refuses it)
  const spansMidnight = quiet.startMinute > quiet.endMinute;
  const inside = spansMidnight
    ? minute >= quiet.startMinute || minute < quiet.endMinute
    : minute >= quiet.startMinute && minute < quiet.endMinute;
  if (!inside) return null;
  const endDay = spansMidnight && minute >= quiet.startMinute ? local.plus({ days: 1 }) : local;
  const end = endDay.set({ hour: Math.floor(quiet.endMinute / 60), minute: quiet.endMinute % 60, second: 0, millisecond: 0 });
  return end.toMillis();
}

/** Draws the jitter for the gap after an attempt: uniform in [0, jitterMs]. */
export function drawJitter(jitterMs: number, random: () => number = Math.random): number {
  return Math.round(Math.max(0, jitterMs) * random());
}
