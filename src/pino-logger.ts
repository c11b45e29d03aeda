import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from './log.js';

/**
 * JSON lines on stdout for machines; `pretty` (the default when stdout is a terminal) gives readable
 * lines for people. NEWSDESK_LOG_FORMAT=json|pretty overrides the guess.
 */
export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env, fd: 1 | 2 = 1): Logger {
  const stream = fd === 1 ? process.stdout : process.stderr;
  const format = env.NEWSDESK_LOG_FORMAT ?? (stream.isTTY ? 'pretty' : 'json');
  const secrets = [env.NEWSDESK_API_TOKEN?.trim()].filter((s): s is string => Boolean(s && s.length >= 8));
  const options = { level, redact: { paths: REDACTED_PATHS, censor: REDACTED }, hooks: secrets.length ? { logMethod: scrubbing(secrets) } : {} };
  if (format === 'pretty') {
    // A synchronous stream rather than a worker transport: nothing is lost when the process exits.
    return pino(options, pretty({ colorize: Boolean(stream.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true, destination: fd }));
  }
  return pino({ ...options, base: { app: 'newsdesk' } }, pino.destination({ dest: fd, sync: true }));
}

const REDACTED = '[redacted]';
/** Fields that hold a credential wherever they appear (one level down too): never written out. */
const REDACTED_PATHS = ['token', 'apiToken', 'authorization', 'cookie', '*.token', '*.apiToken', '*.authorization', '*.cookie', '*.headers.authorization', '*.headers.cookie'];

/**
 * The API token never reaches a log line, whatever carries it (an error message echoing a URL, a
 * library's message): each occurrence in the message and in string fields is replaced.
 */
function scrubbing(secrets: readonly string[]) {
  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return secrets.some((s) => value.includes(s)) ? secrets.reduce((text, s) => text.split(s).join(REDACTED), value) : value;
    if (depth > 5 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
    if (value instanceof Error) return { message: clean(value.message, depth + 1), name: value.name, stack: clean(value.stack, depth + 1) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, depth + 1)]));
  };
  return function logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void): void {
    method.apply(this, args.map((arg) => clean(arg, 0)));
  };
}
