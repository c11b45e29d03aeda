/**
 * The `key=value` options of `channel add` and `channel set` (and the same fields of the HTTP API),
 * read into registry changes. Pure: every problem says what was wrong and how to write it.
 */

/** A digest change: `times` null turns the digest off; top/mode left out keep what is set. */
export interface DigestChange {
  times?: string[] | null;
  top?: number;
  mode?: 'besides' | 'instead';
}

/** What the options ask for. A key left out is not changed; null means "back to the global setting" (or off). */
export interface ChannelOptions {
  categories?: string[] | null;
  feeds?: number[] | null;
  minGapSeconds?: number | null;
  maxPerHour?: number | null;
  quietHours?: string | null;
  digest?: DigestChange;
}

/** The option keys, as an editor writes them. */
export const CHANNEL_OPTION_KEYS = ['categories', 'feeds', 'gap', 'cap', 'quiet', 'digest', 'top', 'mode'] as const;
export type ChannelOptionKey = (typeof CHANNEL_OPTION_KEYS)[number];

const ALIASES: Record<string, ChannelOptionKey> = { category: 'categories', feed: 'feeds', 'per-hour': 'cap', 'quiet-hours': 'quiet' };
const OFF = new Set(['off', 'none', 'any', 'all']);
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `8:00` → `08:00`, or null when it is not a time of day. */
export function clockTimeOf(text: string): string | null {
  const m = TIME.exec(text.trim());
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : null;
}

/** The option key an editor meant (`per-hour` → cap), or null. */
export function optionKey(raw: string): ChannelOptionKey | null {
  const key = raw.toLowerCase();
  if ((CHANNEL_OPTION_KEYS as readonly string[]).includes(key)) return key as ChannelOptionKey;
  // Own keys only: `constructor=` or `__proto__=` would otherwise find Object's and pass as an option.
  return Object.hasOwn(ALIASES, key) ? ALIASES[key]! : null;
}

/**
 * Reads option values (already split into key and value) into a ChannelOptions, with every problem
 * found (the options hold only the values that could be read; use them only when there is none).
 */
export function readChannelOptions(values: Partial<Record<ChannelOptionKey, string>>): { options: ChannelOptions; problems: string[] } {
  const problems: string[] = [];
  const options: ChannelOptions = {};
  const lower = (v: string) => v.trim().toLowerCase();

  if (values.categories !== undefined) {
    const v = values.categories.trim();
    if (!v || OFF.has(lower(v))) options.categories = null;
    else {
      // Underscores stand for spaces, as in `feed add … category=World_News`.
      const list = [...new Set(v.split(',').map((c) => c.replace(/_/g, ' ').trim()).filter(Boolean))];
      const long = list.find((c) => c.length > 60);
      if (long) problems.push(`categories=: "${long.slice(0, 30)}…" is longer than 60 characters`);
      else if (list.length > 30) problems.push('categories=: at most 30 categories');
      else options.categories = list;
    }
  }
  if (values.feeds !== undefined) {
    const v = values.feeds.trim();
    if (!v || OFF.has(lower(v))) options.feeds = null;
    else {
      const parts = v.split(',').map((f) => f.trim()).filter(Boolean);
      const bad = parts.find((p) => !/^#?\d{1,9}$/.test(p));
      if (bad) problems.push(`feeds=: "${bad.slice(0, 20)}" is not a feed id; write the ids from "feeds", e.g. feeds=1,2`);
      else options.feeds = [...new Set(parts.map((p) => Number(p.replace('#', ''))))];
    }
  }
  if (values.gap !== undefined) {
    const v = lower(values.gap);
    const m = /^(\d{1,6})(s|m|min|h)?$/.exec(v);
    if (v === 'default') options.minGapSeconds = null;
    else if (!m) problems.push(`gap=: "${values.gap.slice(0, 20)}" is not a time between posts; write seconds or minutes, e.g. gap=90, gap=90s or gap=5m (gap=default for NEWSDESK_MIN_GAP_SECONDS)`);
    else {
      const seconds = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' || m[2] === 'min' ? 60 : 1);
      if (seconds > 86_400) problems.push(`gap=: at most 24 hours (got ${seconds} seconds)`);
      else options.minGapSeconds = seconds;
    }
  }
  if (values.cap !== undefined) {
    const v = lower(values.cap);
    const m = /^(\d{1,5})(?:\/h|\/hour|\/hr)?$/.exec(v);
    if (v === 'default') options.maxPerHour = null;
    else if (!m) problems.push(`cap=: "${values.cap.slice(0, 20)}" is not an hourly cap; write posts per hour, e.g. cap=10/h (cap=0 for none, cap=default for NEWSDESK_MAX_POSTS_PER_HOUR)`);
    else if (Number(m[1]) > 3600) problems.push('cap=: at most 3600 posts per hour');
    else options.maxPerHour = Number(m[1]);
  }
  if (values.quiet !== undefined) {
    const v = lower(values.quiet);
    if (v === 'default') options.quietHours = null;
    else if (OFF.has(v) || v === '') options.quietHours = '';
    else {
      const m = /^(\S+?)\s*-\s*(\S+)$/.exec(v);
      const start = m ? clockTimeOf(m[1]!) : null;
      const end = m ? clockTimeOf(m[2]!) : null;
      if (!start || !end) problems.push(`quiet=: "${values.quiet.slice(0, 20)}" is not a span of local time; write start-end, e.g. quiet=23:00-07:00 (quiet=off for none, quiet=default for NEWSDESK_QUIET_HOURS)`);
      else if (start === end) problems.push('quiet=: start and end are the same; write quiet=off for no quiet hours');
      else options.quietHours = `${start}-${end}`;
    }
  }
  const digest: DigestChange = {};
  if (values.digest !== undefined) {
    const v = lower(values.digest);
    if (OFF.has(v) || v === '') digest.times = null;
    else {
      const parts = v.split(',').map((t) => t.trim()).filter(Boolean);
      const times = parts.map(clockTimeOf);
      const bad = parts.find((_, i) => times[i] === null);
      if (bad) problems.push(`digest=: "${bad.slice(0, 20)}" is not a time of day; write local times, e.g. digest=08:00,18:00 (digest=off for none)`);
      else if (parts.length > 24) problems.push('digest=: at most 24 times a day');
      else digest.times = [...new Set(times as string[])].sort();
    }
  }
  if (values.top !== undefined) {
    const v = values.top.trim();
    if (!/^\d{1,3}$/.test(v) || Number(v) < 1 || Number(v) > 50) problems.push(`top=: "${v.slice(0, 20)}" is not a number of stories from 1 to 50, e.g. top=5`);
    else digest.top = Number(v);
  }
  if (values.mode !== undefined) {
    const v = lower(values.mode);
    if (v !== 'besides' && v !== 'instead') problems.push(`mode=: "${v.slice(0, 20)}" is not a digest mode; write mode=besides (single posts too) or mode=instead (the digest only)`);
    else digest.mode = v;
  }
  if (Object.keys(digest).length > 0) options.digest = digest;
  return { options, problems };
}

/**
 * Splits `key=value` words into values by option key. Unknown keys and words without `=` are problems;
 * `flags` are words allowed without a value (e.g. `force`).
 */
export function splitOptionWords(
  words: readonly string[],
  // Stryker disable next-line ArrayDeclaration: the words come from splitting on spaces, so none equals the mutant's flag
  flags: readonly string[] = [],
): { values: Partial<Record<ChannelOptionKey, string>>; flags: Set<string>; problems: string[] } {
  const values: Partial<Record<ChannelOptionKey, string>> = {};
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const word of words) {
    if (flags.includes(word.toLowerCase())) {
      seen.add(word.toLowerCase());
      continue;
    }
    const eq = word.indexOf('=');
    // Stryker disable next-line EqualityOperator: a word starting with "=" has an empty key, which is no option either
    const key = eq > 0 ? optionKey(word.slice(0, eq)) : null;
    if (!key) {
      problems.push(`"${word.slice(0, 30)}" is not an option: use ${CHANNEL_OPTION_KEYS.map((k) => `${k}=…`).join(' ')}`);
      continue;
    }
    if (values[key] !== undefined) problems.push(`${key}= is given twice`);
    values[key] = word.slice(eq + 1);
  }
  return { values, flags: seen, problems };
}

// The same forms NEWSDESK_CHANNEL accepts (config.ts); kept here so commands need not load the config module.
const CHANNEL_ID = /^\d{6,}@newsletter$/;
const INVITE_LINK = /^https:\/\/(?:www\.)?whatsapp\.com\/channel\/([A-Za-z0-9_-]{10,})\/?$/;
/** A channel's short name, as NEWSDESK_CHANNEL_NAME (config.ts CHANNEL_NAME). */
export const CHANNEL_NAME_FORM = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** The channel target as stored (an id, or the invite link without a trailing slash), or why it is not one. */
export function channelTargetOf(raw: string): { target: string } | { problem: string } {
  const v = raw.trim();
  if (CHANNEL_ID.test(v)) return { target: v };
  // Stryker disable next-line Regex: an invite link allows no ":" after its start, so an http:// further in never matches either way
  const invite = INVITE_LINK.exec(v.replace(/^http:\/\//i, 'https://'));
  if (invite) return { target: `https://whatsapp.com/channel/${invite[1]!}` };
  if (/whatsapp\.com\/channel\//i.test(v)) {
    return { problem: `"${v.slice(0, 60)}" is not a whole channel invite link: copy it from the channel's Share link, e.g. https://whatsapp.com/channel/0029VaXXXXXXXXXXXXXXXX` };
  }
  return {
    problem: `"${v.slice(0, 60)}" is not a channel: give its id (digits then @newsletter, e.g. 120363012345678901@newsletter) or its invite link (https://whatsapp.com/channel/…)`,
  };
}

/** Why `name` cannot be a channel's short name, or null. */
export function channelNameProblem(name: string): string | null {
  if (CHANNEL_NAME_FORM.test(name)) return null;
  return `name=: "${name.slice(0, 40)}" is not a short name; use 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter or digit, e.g. name=sport`;
}
