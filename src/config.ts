import path from 'node:path';
import * as z from 'zod';
import { parseQuietHours, type QuietHours } from './dispatch/pacing.js';
import { explainCronProblem } from './dispatch/wake-schedule.js';
import { normaliseFeedUrl } from './feeds/settings.js';
import { TOKEN_HINT, tokenWeakness } from './http/auth.js';
import { editDistance } from './articles/edit-distance.js';

/** A problem in the environment, with the variable it came from and how to fix it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Thrown by loadConfig with every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The code of the issues added by hand: never shown (a problem is its variable and message). */
// Stryker disable next-line StringLiteral: the code is never shown, so any string does
const CUSTOM = 'custom' as const;

const CHANNEL_ID = /^\d{6,}@newsletter$/;
/** A channel's short name (NEWSDESK_CHANNEL_NAME; later `channel add … name=`). */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * Why a webhook URL cannot be used, or null. Link-local and cloud metadata hosts written as addresses
 * are refused here; names that resolve there are refused at connect time by the feeds' address guard.
 */
function webhookUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL: write a full http:// or https:// address';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must start with http:// or https:// (got ${url.protocol})`;
  if (url.username || url.password) return 'must not carry a user name or password: the signature (NEWSDESK_WEBHOOK_SECRET) authenticates the bot';
  // Stryker disable next-line Regex: a URL's hostname holds brackets only around an IPv6 address, so the anchors change nothing
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (/^169\.254\./.test(host) || /^fe[89ab][0-9a-f]:/.test(host) || host === 'fd00:ec2::254' || /^::ffff:(169\.254\.|a9fe:)/.test(host)) {
    return 'is a link-local or cloud metadata address, where webhooks are never sent';
  }
  return null;
}
const INVITE_LINK = /^https:\/\/(?:www\.)?whatsapp\.com\/channel\/([A-Za-z0-9_-]{10,})\/?$/;

function isTimeZone(zone: string): boolean {
  // UTC, the default, needs no check; asking Intl loads ICU's zone data, a third of a CLI call's start.
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut only; Intl accepts UTC as well
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false; // Intl throws RangeError for unknown zones; that *is* the answer.
  }
  return true;
}

/**
 * The digits of a phone number in international form (E.164: country code first, 8 to 15 digits), or
 * why it can never match a WhatsApp sender. WhatsApp ids carry no dialling prefix (`00`) and no national
 * trunk `0`, so `0060…` and `0123…` would be accepted and then never recognised.
 */
export function internationalNumber(raw: string): { digits: string } | { problem: string } {
  const form = 'write it in international form: + then the country code and the number, e.g. +60123456789';
  const compact = raw.replace(/[\s().-]/g, '');
  const bare = compact.replace(/^\+/, '');
  if (!/^\d+$/.test(bare)) return { problem: `"${raw}" is not an international phone number: ${form}` };
  if (bare.startsWith('00')) {
    return { problem: `"${raw}" starts with 00, a dialling prefix that WhatsApp numbers never carry: write + instead of 00 (+${bare.slice(2)})` };
  }
  if (bare.startsWith('0')) {
    return { problem: `"${raw}" starts with 0, a national prefix: replace the 0 with + and the country code (0123456789 in Malaysia is +60123456789)` };
  }
  if (bare.length < 8) return { problem: `"${raw}" is too short (${bare.length} digits; with the country code a number has 8 to 15): ${form}` };
  if (bare.length > 15) return { problem: `"${raw}" is too long (${bare.length} digits; an international number has at most 15): ${form}` };
  return { digits: bare };
}

/** Variables whose value is never printed, not even when it is invalid: the value is the secret. */
const SECRET_VARIABLES = new Set(['NEWSDESK_API_TOKEN', 'NEWSDESK_WEBHOOK_SECRET']);

/** A variable's value as an error message may show it. */
function shownValue(variable: string, env: NodeJS.ProcessEnv): string {
  // Stryker disable next-line StringLiteral: every setting is optional, so a problem always comes from a variable that is set
  const value = env[variable] ?? '';
  return SECRET_VARIABLES.has(variable) ? `got ${[...value].length} characters, not shown` : `got ${JSON.stringify(value)}`;
}

const intInRange = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback);

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * Every NEWSDESK_* variable, its default and its check. The README's configuration table mirrors this.
 */
const envSchema = z.object({
  /** Where the database, the WhatsApp session and the dry-run outbox live. Default ./data. */
  NEWSDESK_DATA_DIR: z.string().trim().min(1).optional().transform((v) => v ?? './data'),
  /** The channel: `<digits>@newsletter` or `https://whatsapp.com/channel/<code>`. Required unless dry run. */
  NEWSDESK_CHANNEL: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => CHANNEL_ID.test(v) || INVITE_LINK.test(v),
        'must be a channel id like 120363012345678901@newsletter or an invite link like https://whatsapp.com/channel/0029VaXXXXXXXXXXXXXXXX',
      )
      .optional(),
  ),
  /**
   * The channel's short name: what templates, tracked links, webhooks and the dry-run outbox call it
   * (`template set main …`). Default main.
   */
  NEWSDESK_CHANNEL_NAME: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || 'main')
    .pipe(z.string().regex(CHANNEL_NAME, 'must be a short name: 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter or digit, e.g. main or sport')),
  /** IANA zone for schedules and times shown to editors. Default UTC. */
  NEWSDESK_TIMEZONE: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || 'UTC')
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin, Asia/Kuala_Lumpur or UTC'),
  /** Cron expression (5 or 6 fields) that releases queued normal articles. Default every minute. */
  NEWSDESK_SCHEDULE: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || '* * * * *')
    .superRefine((v, ctx) => {
      const problem = explainCronProblem(v);
      if (problem) ctx.addIssue({ code: CUSTOM, message: `is not a valid cron expression (${problem}); example: "*/10 * * * *"` });
    }),
  /** Minimum seconds between two posts. Default 120. */
  NEWSDESK_MIN_GAP_SECONDS: intInRange(0, 86_400, 120),
  /** Most posts in any 60 minutes; 0 = no cap. Default 20. */
  NEWSDESK_MAX_POSTS_PER_HOUR: intInRange(0, 3_600, 20),
  /** Up to this many random seconds added to each gap, so posts do not go out like clockwork. Default 20. */
  NEWSDESK_JITTER_SECONDS: intInRange(0, 3_600, 20),
  /** Local times during which only breaking articles go out, e.g. 23:00-07:00. Default none. */
  NEWSDESK_QUIET_HOURS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseQuietHours(v ?? '');
      } catch (err) {
        ctx.addIssue({ code: CUSTOM, message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Whether breaking articles go out during quiet hours: allow (default) or hold. */
  NEWSDESK_QUIET_HOURS_BREAKING: z
    .enum(['allow', 'hold'], { error: 'must be "allow" or "hold"' })
    .optional()
    .transform((v) => (v ?? 'allow') === 'allow'),
  /** Longest summary, in characters, before it is cut at a word boundary. Default 300. */
  NEWSDESK_SUMMARY_MAX_CHARS: intInRange(20, 3_000, 300),
  /** Marker put in front of breaking headlines. Default "🔴 BREAKING". */
  NEWSDESK_BREAKING_LABEL: z
    .string()
    .trim()
    .max(40, 'must be at most 40 characters')
    .optional()
    .transform((v) => v || '🔴 BREAKING'),
  /** Attempts per article before it is marked failed. Default 5. */
  NEWSDESK_MAX_ATTEMPTS: intInRange(1, 50, 5),
  /** Seconds a send plus its confirmation may take before the attempt counts as failed. Default 60. */
  NEWSDESK_SEND_TIMEOUT_SECONDS: intInRange(5, 600, 60),
  /** Pair by phone number instead of a QR code: the bot's own number, international digits. */
  NEWSDESK_PAIRING_NUMBER: optionalText.pipe(
    z
      .string()
      .transform((v) => v.replace(/[\s()+-]/g, ''))
      .pipe(z.string().regex(/^\d{8,15}$/, 'must be the phone number in international form, e.g. +60123456789'))
      .optional(),
  ),
  /** Admins: comma-separated international phone numbers allowed to run commands by WhatsApp message. */
  NEWSDESK_ADMINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const numbers: string[] = [];
      for (const raw of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const number = internationalNumber(raw);
        if ('problem' in number) ctx.addIssue({ code: CUSTOM, message: number.problem });
        else numbers.push(number.digits);
      }
      return numbers;
    }),
  /** Seconds WhatsApp Web may take to become ready before the browser is restarted. Default 180. */
  NEWSDESK_READY_TIMEOUT_SECONDS: intInRange(30, 3_600, 180),
  /** Local time for a daily planned browser restart (bounds memory growth), e.g. 04:30. Default none. */
  NEWSDESK_BROWSER_RESTART_AT: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'must be a local time like 04:30').optional()),
  /** Chromium binary used by whatsapp-web.js. Default PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium. */
  NEWSDESK_CHROMIUM_PATH: optionalText,
  /**
   * Pin WhatsApp Web: load this build (e.g. 2.3000.1017054665) from `<NEWSDESK_WA_WEB_CACHE_DIR>/<version>.html`
   * instead of the live page. Set both or neither. Default none (the current WhatsApp Web).
   */
  NEWSDESK_WA_WEB_VERSION: optionalText.pipe(
    z
      .string()
      .regex(/^[0-9A-Za-z][\w.-]*$/, 'must be a WhatsApp Web version like 2.3000.1017054665 (letters, digits, dots, dashes)')
      .optional(),
  ),
  /** Folder holding `<NEWSDESK_WA_WEB_VERSION>.html`. Set both or neither. Default none. */
  NEWSDESK_WA_WEB_CACHE_DIR: optionalText,
  /** Feeds added at start (comma-separated RSS/Atom/JSON Feed URLs); ones already known are left as they are. */
  NEWSDESK_FEEDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const urls = (v ?? '').split(',').map((u) => u.trim()).filter(Boolean);
      for (const url of urls) {
        try {
          normaliseFeedUrl(url);
        } catch (err) {
            ctx.addIssue({ code: CUSTOM, message: `"${url.slice(0, 80)}": ${(err as Error).message}` });
        }
      }
      return urls;
    }),
  /** Minutes between polls of a feed that does not set its own. Default 5. */
  NEWSDESK_FEED_EVERY_MINUTES: intInRange(1, 1_440, 5),
  /** Most stories one poll of a feed queues; the rest are recorded as skipped. Default 10. */
  NEWSDESK_FEED_MAX_PER_POLL: intInRange(1, 10_000, 10),
  /** Webhook URLs (comma-separated http(s)) POSTed on posted and failed articles. Default none. */
  NEWSDESK_WEBHOOKS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const urls = (v ?? '').split(',').map((u) => u.trim()).filter(Boolean);
      for (const url of urls) {
        const problem = webhookUrlProblem(url);
        if (problem) ctx.addIssue({ code: CUSTOM, message: `"${url.slice(0, 80)}" ${problem}` });
      }
      return [...new Set(urls)];
    }),
  /** Secret for the webhooks' HMAC-SHA256 signature (X-Newsdesk-Signature); required with NEWSDESK_WEBHOOKS. */
  NEWSDESK_WEBHOOK_SECRET: optionalText.pipe(
    z
      .string()
      .min(16, `must be at least 16 characters: ${TOKEN_HINT}`)
      .regex(/^[\x21-\x7e]+$/, `must be printable ASCII without spaces: ${TOKEN_HINT}`)
      .optional(),
  ),
  /** Address the HTTP server (API, /login, health, metrics) listens on. Default 127.0.0.1. */
  NEWSDESK_HTTP_HOST: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || '127.0.0.1'),
  /** HTTP port; 0 = any free port. Default 8080. */
  NEWSDESK_HTTP_PORT: intInRange(0, 65_535, 8080),
  /** Bearer token for /api and /login; unset = both off. */
  NEWSDESK_API_TOKEN: optionalText.pipe(
    z
      .string()
      .min(16, `must be at least 16 characters: ${TOKEN_HINT}`)
      .regex(/^[\x21-\x7e]+$/, `must be printable ASCII without spaces: ${TOKEN_HINT}`)
      .superRefine((token, ctx) => {
        const weakness = tokenWeakness(token);
        if (weakness) ctx.addIssue({ code: CUSTOM, message: `${weakness}: ${TOKEN_HINT}` });
      })
      .optional(),
  ),
  /** Log level: fatal, error, warn, info, debug. Default info. */
  NEWSDESK_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .transform((v) => v ?? 'info'),
});

export type ChannelTarget = { kind: 'id'; id: string } | { kind: 'invite'; code: string; link: string };

export interface Config {
  dataDir: string;
  databasePath: string;
  sessionDir: string;
  outboxPath: string;
  channel: ChannelTarget | undefined;
  /** The channel's short name (NEWSDESK_CHANNEL_NAME), default `main`. */
  channelName: string;
  timezone: string;
  schedule: string;
  minGapMs: number;
  maxPostsPerHour: number;
  jitterMs: number;
  quietHours: QuietHours | null;
  breakingInQuietHours: boolean;
  summaryMaxChars: number;
  breakingLabel: string;
  maxAttempts: number;
  sendTimeoutMs: number;
  pairingNumber: string | undefined;
  /** Admin phone numbers as digits only (country code first, no +). */
  admins: string[];
  readyTimeoutMs: number;
  /** Cron expression for the daily browser restart, or undefined. */
  browserRestartCron: string | undefined;
  chromiumPath: string;
  /** A pinned WhatsApp Web build (NEWSDESK_WA_WEB_VERSION, NEWSDESK_WA_WEB_CACHE_DIR), or undefined for the live page. */
  waWeb: { version: string; cacheDir: string } | undefined;
  logLevel: string;
  feeds: string[];
  feedEveryMinutes: number;
  feedMaxPerPoll: number;
  httpHost: string;
  httpPort: number;
  apiToken: string | undefined;
  /** Webhook URLs (NEWSDESK_WEBHOOKS); empty when none. */
  webhooks: string[];
  /** Signs webhook bodies; set whenever webhooks are. */
  webhookSecret: string | undefined;
}

/** Read elsewhere: the log format (before the configuration is loaded) and the test and bench tools. */
const OTHER_VARIABLES = ['NEWSDESK_LOG_FORMAT', 'NEWSDESK_CRASH_SEED', 'NEWSDESK_KEEP_SCREENSHOTS', 'NEWSDESK_TEST_SKIP_BUILD'];

/** A misspelt NEWSDESK_ variable would otherwise be ignored without a word (and its default used). */
function unknownVariables(env: NodeJS.ProcessEnv): ConfigProblem[] {
  const known = [...Object.keys(envSchema.shape), ...OTHER_VARIABLES];
  return Object.keys(env)
    .filter((name) => name.startsWith('NEWSDESK_') && !known.includes(name))
    .map((name) => {
      // A name cut short or run on (NEWSDESK_MIN_GAP, NEWSDESK_ADMINS_LIST) first, else a few typos away.
      const nearest =
        known.find((k) => k.startsWith(name) || name.startsWith(k)) ??
        known.map((k) => ({ k, d: editDistance(name, k) })).filter((c) => c.d <= 4).sort((a, b) => a.d - b.d)[0]?.k;
      const hint = nearest ? `did you mean ${nearest}? ` : '';
      return { variable: name, message: `is not a Newsdesk setting: ${hint}The settings are listed in the README's configuration table` };
    });
}

/** Reads a channel id or invite link (NEWSDESK_CHANNEL, a registry target). */
export function channelTarget(value: string | undefined): ChannelTarget | undefined {
  if (!value) return undefined;
  const invite = INVITE_LINK.exec(value);
  if (invite?.[1]) return { kind: 'invite', code: invite[1], link: value };
  return { kind: 'id', id: value };
}

/**
 * Reads the configuration from `env`. Throws ConfigError listing every problem at once.
 * `needsChannel` is false for a dry run, which posts to the outbox file instead of WhatsApp.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { needsChannel: boolean } = { needsChannel: true },
): Config {
  const parsed = envSchema.safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        // Stryker disable next-line StringLiteral: every issue of the object schema has the variable as its path
        variable: String(issue.path[0] ?? 'environment'),
        message: `${issue.message} (${shownValue(String(issue.path[0]), env)})`,
      }));
  problems.push(...unknownVariables(env));
  if (options.needsChannel && !env.NEWSDESK_CHANNEL?.trim()) {
    problems.push({
      variable: 'NEWSDESK_CHANNEL',
      message:
        'is required to post to WhatsApp: set it to the channel id (…@newsletter) or invite link, or start a dry run with: npm start -- --dry-run',
    });
  }
  const waWebSet = ['NEWSDESK_WA_WEB_VERSION', 'NEWSDESK_WA_WEB_CACHE_DIR'].filter((name) => env[name]?.trim());
  if (waWebSet.length === 1) {
    const [given] = waWebSet;
    const missing = given === 'NEWSDESK_WA_WEB_VERSION' ? 'NEWSDESK_WA_WEB_CACHE_DIR' : 'NEWSDESK_WA_WEB_VERSION';
    problems.push({
      variable: missing,
      message: `must be set together with ${given} (a pinned WhatsApp Web build is loaded from NEWSDESK_WA_WEB_CACHE_DIR/<NEWSDESK_WA_WEB_VERSION>.html); set both, or neither for the live page`,
    });
  }
  if (env.NEWSDESK_WEBHOOKS?.trim() && !env.NEWSDESK_WEBHOOK_SECRET?.trim()) {
    problems.push({
      variable: 'NEWSDESK_WEBHOOK_SECRET',
      message: `is required with NEWSDESK_WEBHOOKS: receivers check each body's signature with it (${TOKEN_HINT})`,
    });
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  const dataDir = path.resolve(e.NEWSDESK_DATA_DIR);
  return {
    dataDir,
    databasePath: path.join(dataDir, 'newsdesk.db'),
    sessionDir: path.join(dataDir, 'session'),
    outboxPath: path.join(dataDir, 'outbox.jsonl'),
    channel: channelTarget(e.NEWSDESK_CHANNEL),
    channelName: e.NEWSDESK_CHANNEL_NAME,
    timezone: e.NEWSDESK_TIMEZONE,
    schedule: e.NEWSDESK_SCHEDULE,
    minGapMs: e.NEWSDESK_MIN_GAP_SECONDS * 1000,
    maxPostsPerHour: e.NEWSDESK_MAX_POSTS_PER_HOUR,
    jitterMs: e.NEWSDESK_JITTER_SECONDS * 1000,
    quietHours: e.NEWSDESK_QUIET_HOURS,
    breakingInQuietHours: e.NEWSDESK_QUIET_HOURS_BREAKING,
    summaryMaxChars: e.NEWSDESK_SUMMARY_MAX_CHARS,
    breakingLabel: e.NEWSDESK_BREAKING_LABEL,
    maxAttempts: e.NEWSDESK_MAX_ATTEMPTS,
    sendTimeoutMs: e.NEWSDESK_SEND_TIMEOUT_SECONDS * 1000,
    pairingNumber: e.NEWSDESK_PAIRING_NUMBER,
    admins: e.NEWSDESK_ADMINS,
    readyTimeoutMs: e.NEWSDESK_READY_TIMEOUT_SECONDS * 1000,
    browserRestartCron: e.NEWSDESK_BROWSER_RESTART_AT
      ? `${Number(e.NEWSDESK_BROWSER_RESTART_AT.split(':')[1])} ${Number(e.NEWSDESK_BROWSER_RESTART_AT.split(':')[0])} * * *`
      : undefined,
    chromiumPath: e.NEWSDESK_CHROMIUM_PATH ?? env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    waWeb:
      // Stryker disable next-line LogicalOperator: one without the other is refused above, so || and && agree here
      e.NEWSDESK_WA_WEB_VERSION && e.NEWSDESK_WA_WEB_CACHE_DIR
        ? { version: e.NEWSDESK_WA_WEB_VERSION, cacheDir: path.resolve(e.NEWSDESK_WA_WEB_CACHE_DIR) }
        : undefined,
    logLevel: e.NEWSDESK_LOG_LEVEL,
    feeds: e.NEWSDESK_FEEDS,
    feedEveryMinutes: e.NEWSDESK_FEED_EVERY_MINUTES,
    feedMaxPerPoll: e.NEWSDESK_FEED_MAX_PER_POLL,
    httpHost: e.NEWSDESK_HTTP_HOST,
    httpPort: e.NEWSDESK_HTTP_PORT,
    apiToken: e.NEWSDESK_API_TOKEN,
    webhooks: e.NEWSDESK_WEBHOOKS,
    webhookSecret: e.NEWSDESK_WEBHOOK_SECRET,
  };
}
