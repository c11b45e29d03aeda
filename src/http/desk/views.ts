import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { DateTime } from 'luxon';
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

/** Helpers every template gets as `it.h`: times in the newsroom's zone, durations, article states. */
export function viewHelpers(zone: string, now: number) {
  const today = DateTime.fromMillis(now, { zone });
  const time = (ms: number | null | undefined): string => {
    if (ms === null || ms === undefined) return '—';
    const t = DateTime.fromMillis(ms, { zone });
    if (t.hasSame(today, 'day')) return t.toFormat('HH:mm');
    if (t.hasSame(today, 'year')) return t.toFormat('ccc d LLL HH:mm');
    return t.toFormat('d LLL yyyy HH:mm');
  };
  return {
    zone,
    now,
    time,
    /** Full time for a `datetime` attribute and a tooltip. */
    iso: (ms: number) => DateTime.fromMillis(ms, { zone }).toISO() ?? '',
    /** The value a `datetime-local` input shows: wall time in the newsroom's zone. */
    local: (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd'T'HH:mm"),
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
