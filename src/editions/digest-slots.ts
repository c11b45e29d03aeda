import { DateTime } from 'luxon';

/**
 * Digest slots: the moments `digest=08:00,18:00` names, as epoch ms, in the newsroom's zone
 * (NEWSDESK_TIMEZONE). Wall-clock based, so on daylight-saving days a slot keeps its local time:
 * a time the clock skips (02:30 on the spring-forward night) falls at the first moment after the gap,
 * a time the clock passes twice (02:30 on the fall-back night in Europe) is always the same one of the
 * two (luxon takes the later, standard-time one): one slot a day per time, whatever the offset does.
 */

/** The slots of one local day. */
function slotsOfDay(times: readonly string[], zone: string, day: DateTime): number[] {
  return times.map((t) => {
    const [hour, minute] = t.split(':').map(Number) as [number, number];
    return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone }).toMillis();
  });
}

/** Every slot from the local day before `now` to the day after, oldest first. */
function slotsAround(times: readonly string[], zone: string, now: number): number[] {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  // Stryker disable next-line UnaryOperator: a margin; yesterday already holds a slot before now, and a later day is passed over by the searches
  const days = [-2, -1, 0, 1].map((d) => today.plus({ days: d }));
  return [...new Set(days.flatMap((day) => slotsOfDay(times, zone, day)))].sort((a, b) => a - b);
}

/** The newest slot at or before `now`, or null when there are no times. */
export function latestSlot(times: readonly string[], zone: string, now: number): number | null {
  // Stryker disable next-line ConditionalExpression: a fast path; with no times there are no slots and the search gives null too
  if (times.length === 0) return null;
  const past = slotsAround(times, zone, now).filter((s) => s <= now);
  return past.at(-1) ?? null;
}

/** The slot before `slot` (the start of the period a first digest lists). */
export function previousSlot(times: readonly string[], zone: string, slot: number): number {
  return latestSlot(times, zone, slot - 1) ?? slot - 86_400_000;
}

/** The first slot after `now`, or null when there are no times. */
export function nextSlot(times: readonly string[], zone: string, now: number): number | null {
  // Stryker disable next-line ConditionalExpression: a fast path; with no times there are no slots and the search gives null too
  if (times.length === 0) return null;
  return slotsAround(times, zone, now).find((s) => s > now) ?? null;
}
