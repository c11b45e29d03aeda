import { DateTime, Settings } from 'luxon';

/**
 * Times shown to editors (`Mon 1 Dec 18:30`) are in English like every other reply, whatever locale
 * the host has; luxon also no longer asks Intl for the host's locale, which loads ICU data (tens of
 * milliseconds a CLI call). Called once by each entry point (bot and CLI).
 */
export function showTimesInEnglish(): void {
  Settings.defaultLocale = 'en-US';
}

/** The outcome of reading a time an editor typed: epoch ms, or what was wrong. */
export type WhenResult = { ok: true; at: number } | { ok: false; error: string };

const HELP = 'use 18:30 (today or tomorrow), +45m / +2h / +1d, or an ISO date-time like 2026-12-01T08:00';

/**
 * Reads `18:30` (its next occurrence in `zone`), `+45m` / `+2h` / `+1d` (from now), or an ISO
 * date-time (in `zone` unless it carries an offset). A time in the past is refused. Wall times that
 * do not exist on a daylight-saving day (02:30 on spring-forward) move forward by the gap; repeated
 * ones (fall-back) take the first occurrence.
 */
export function parseWhen(text: string, now: number, zone: string): WhenResult {
  const input = text.trim();
  const relative = /^\+(\d{1,5})\s*(m|min|h|d)$/i.exec(input);
  if (relative) {
    const amount = Number(relative[1]);
    const unit = relative[2]!.toLowerCase();
    const ms = amount * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
    if (ms <= 0) return { ok: false, error: `"${input}" is not in the future: ${HELP}` };
    if (ms > 366 * 86_400_000) return { ok: false, error: `"${input}" is more than a year ahead` };
    return { ok: true, at: now + ms };
  }

  const clock = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(input);
  if (clock) {
    const today = DateTime.fromMillis(now, { zone });
    let at = today.set({ hour: Number(clock[1]), minute: Number(clock[2]), second: 0, millisecond: 0 });
    if (at.toMillis() <= now) at = at.plus({ days: 1 }).set({ hour: Number(clock[1]), minute: Number(clock[2]) });
    return { ok: true, at: firstOccurrence(at) };
  }

  const iso = DateTime.fromISO(input.replace(' ', 'T'), { zone, setZone: false });
  if (iso.isValid && /^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}/.test(input)) {
    const at = /(Z|[+-]\d{2}:?\d{2})$/.test(input) ? iso.toMillis() : firstOccurrence(iso);
    if (at <= now) return { ok: false, error: `${input} is in the past (now it is ${formatTime(now, zone)}): ${HELP}` };
    if (at - now > 366 * 86_400_000) return { ok: false, error: `${input} is more than a year ahead` };
    return { ok: true, at };
  }
  return { ok: false, error: `cannot read the time "${input.slice(0, 40)}": ${HELP}` };
}

/** On a fall-back day a wall time happens twice; luxon picks the later one, editors mean the first. */
function firstOccurrence(t: DateTime): number {
  const hourEarlier = t.minus({ hours: 1 });
  return hourEarlier.hour === t.hour && hourEarlier.minute === t.minute ? hourEarlier.toMillis() : t.toMillis();
}

/** A time as editors read it: `Thu 26 Nov 18:30 (Europe/Berlin)`, or `18:30` when it is today. */
export function formatTime(at: number, zone: string, now?: number): string {
  const t = DateTime.fromMillis(at, { zone });
  if (now !== undefined && t.hasSame(DateTime.fromMillis(now, { zone }), 'day')) return t.toFormat('HH:mm');
  return `${t.toFormat('ccc d LLL HH:mm')} (${zone})`;
}
