import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Article } from '../../articles/article.js';
import { duration } from './charts.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Where the desk's templates or assets are: beside this module (the build copies them into dist/),
 * else in src/ (a build made by plain tsc, as the tests' global setup does).
 */
export function deskFilesDir(name: 'views' | 'assets'): string {
  const candidates = [path.join(here, name), path.resolve(here, '../../../src/http/desk', name)];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, name === 'views' ? 'layout.eta' : 'desk.js')));
  if (!found) throw new Error(`the desk's ${name} are missing (looked in ${candidates.join(' and ')}): run "npm run build" again`);
  return found;
}

/** Wall-clock parts of an instant in a zone. */
interface WallTime {
  year: string;
  month: string;
  monthName: string;
  day: string;
  weekday: string;
  hour: string;
  minute: string;
}

/**
 * Wall time in a zone, fast: a page of 100 rows formats hundreds of instants, and an Intl (or luxon)
 * call for each cost more than the page's SQL. The zone's offset is looked up once per quarter hour
 * (every zone's offset changes only on quarter hours) and the rest is arithmetic.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
const QUARTER_HOUR = 900_000;
function offsetAt(ms: number, zone: string): number {
  const key = `${zone}|${Math.floor(ms / QUARTER_HOUR)}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formatters.set(zone, format);
  }
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) p[part.type] = Number(part.value);
  const offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - Math.floor(ms / 60_000) * 60_000;
  if (offsets.size > 50_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}
const pad = (n: number) => String(n).padStart(2, '0');
function wallTime(ms: number, zone: string): WallTime {
  const d = new Date(ms + offsetAt(ms, zone));
  const month = d.getUTCMonth();
  return {
    year: String(d.getUTCFullYear()),
    month: pad(month + 1),
    monthName: MONTHS[month]!,
    day: pad(d.getUTCDate()),
    weekday: WEEKDAYS[d.getUTCDay()]!,
    hour: pad(d.getUTCHours()),
    minute: pad(d.getUTCMinutes()),
  };
}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Helpers every template gets as `it.h`: times in the newsroom's zone, durations, article states. */
export function viewHelpers(zone: string, now: number) {
  const today = wallTime(now, zone);
  const time = (ms: number | null | undefined): string => {
    if (ms === null || ms === undefined) return '—';
    const t = wallTime(ms, zone);
    const clock = `${t.hour}:${t.minute}`;
    if (t.year === today.year && t.month === today.month && t.day === today.day) return clock;
    if (t.year === today.year) return `${t.weekday} ${Number(t.day)} ${t.monthName} ${clock}`;
    return `${Number(t.day)} ${t.monthName} ${t.year} ${clock}`;
  };
  return {
    zone,
    now,
    time,
    /** The instant for a `datetime` attribute (UTC). */
    iso: (ms: number) => new Date(ms).toISOString(),
    /** The value a `datetime-local` input shows: wall time in the newsroom's zone. */
    local: (ms: number) => {
      const t = wallTime(ms, zone);
      return `${t.year}-${t.month}-${t.day}T${t.hour}:${t.minute}`;
    },
    duration,
    /** What an article is doing, in plain words, and the time that goes with it. */
    state(a: Article): { label: string; at: number | null } {
      switch (a.status) {
        case 'queued':
          if (a.timed && a.publishAt > now) return { label: 'scheduled', at: a.publishAt };
          if (a.nextAttemptAt > now) return { label: 'retry waiting', at: a.nextAttemptAt };
          return { label: 'queued', at: a.createdAt };
        case 'posting':
          return { label: 'posting', at: a.updatedAt };
        case 'posted':
          return { label: 'posted', at: a.postedAt };
        default:
          return { label: a.status, at: a.updatedAt };
      }
    },
  };
}

export type ViewHelpers = ReturnType<typeof viewHelpers>;

/** The template engine over the desk's views: compiled once, escaping every `<%= %>` by default. */
export function createViews(): Eta {
  return new Eta({ views: deskFilesDir('views'), cache: true, autoEscape: true });
}
