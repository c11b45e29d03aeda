import * as z from 'zod';
import { LIMITS } from '../articles/article.js';
import { once } from '../once.js';
import type { FeedSettings } from '../store/feed-store.js';
import { FeedSettingsError } from './errors.js';

/** Defaults a deployment may change (config), applied when a feed does not set its own. */
export interface FeedDefaults {
  /** Minutes between polls of a feed. Default 5. */
  everyMinutes: number;
  /** Items queued by one poll at most; the rest are recorded as skipped. Default 10. */
  maxPerPoll: number;
}

export const DEFAULT_FEED_DEFAULTS: FeedDefaults = { everyMinutes: 5, maxPerPoll: 10 };

const keyword = () =>
  z
    .string()
    .transform((w) => w.replace(/\s+/gu, ' ').trim().toLowerCase())
    .pipe(z.string().min(1, 'a keyword must not be empty').max(60, 'a keyword must be at most 60 characters'));

/** What `feed add` may set. Every field is optional; see FeedDefaults for the defaults. Built on first use (see once.ts). */
export const feedSettingsSchema = once(() =>
  z.object({
    category: z
      .string()
      .transform((c) => c.replace(/\s+/gu, ' ').trim())
      .pipe(z.string().max(LIMITS.category, `category must be at most ${LIMITS.category} characters`))
      .optional(),
    priority: z.enum(['normal', 'breaking'], { error: 'priority must be "normal" or "breaking"' }).optional(),
    everyMinutes: z.number({ error: 'every must be a number of minutes' }).int('every must be whole minutes').min(1, 'every must be at least 1 minute').max(1_440, 'every must be at most 1440 minutes (a day)').optional(),
    /** Newest items queued by the first poll (the rest are only marked seen). Default 0. */
    backfill: z.number({ error: 'backfill must be a number' }).int('backfill must be a whole number').min(0, 'backfill must be 0 or more').max(10_000, 'backfill must be at most 10000').optional(),
    maxPerPoll: z.number({ error: 'the per-poll cap must be a number' }).int().min(1, 'the per-poll cap must be at least 1').max(10_000, 'the per-poll cap must be at most 10000').optional(),
    include: z.array(keyword()).max(50, 'at most 50 include words').optional(),
    exclude: z.array(keyword()).max(50, 'at most 50 exclude words').optional(),
  }),
);

export type FeedSettingsInput = z.input<ReturnType<typeof feedSettingsSchema>>;

export type { FeedSettings };

/** Validates settings and fills defaults; throws FeedSettingsError listing every problem. */
export function resolveFeedSettings(input: FeedSettingsInput, defaults: FeedDefaults): FeedSettings {
  const parsed = feedSettingsSchema().safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ');
    throw new FeedSettingsError(`feed settings: ${problems}`, { cause: parsed.error });
  }
  const s = parsed.data;
  return {
    category: s.category || null,
    priority: s.priority ?? 'normal',
    everyMinutes: s.everyMinutes ?? defaults.everyMinutes,
    backfill: s.backfill ?? 0,
    maxPerPoll: s.maxPerPoll ?? defaults.maxPerPoll,
    include: [...new Set(s.include ?? [])],
    exclude: [...new Set(s.exclude ?? [])],
  };
}

/** The URL a feed is stored and compared under; throws FeedSettingsError for anything but http(s). */
export function normaliseFeedUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch (cause) {
    throw new FeedSettingsError(`feed URL "${input}" is not a URL; it must start with http:// or https://`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FeedSettingsError(`feed URL "${input}" must start with http:// or https://`);
  }
  url.hash = '';
  return url.toString();
}
