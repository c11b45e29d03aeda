import type { Logger } from './log.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Level = (typeof LEVELS)[number];

/**
 * The CLI's logger, on stderr (stdout is the command's answer). By default plain lines a person reads
 * next to the answer (`newsdesk warn: feed poll failed (feedUrl=…)`), never JSON mixed into human text;
 * NEWSDESK_LOG_FORMAT=json gives pino's JSON lines for machines. pino is loaded only then: a CLI call
 * is a new process each time, and most never log.
 */
export async function createCliLogger(level: string, env: NodeJS.ProcessEnv): Promise<Logger> {
  if (env.NEWSDESK_LOG_FORMAT === 'json') {
    const { createLogger } = await import('./pino-logger.js');
    return createLogger(level, env, 2);
  }
  const threshold = LEVELS.indexOf(level as Level);
  return textLogger(threshold === -1 ? LEVELS.length : threshold, {});
}

function textLogger(threshold: number, bindings: Record<string, unknown>): Logger {
  const at =
    (level: Level) =>
    (obj: object, msg: string): void => {
      if (LEVELS.indexOf(level) < threshold) return;
      const fields = Object.entries({ ...bindings, ...obj })
        .map(([key, value]) => `${key}=${describe(value)}`)
        .join(' ');
      process.stderr.write(`newsdesk ${level}: ${msg}${fields ? ` (${fields})` : ''}\n`);
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => textLogger(threshold, { ...bindings, ...more }),
  };
}

function describe(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return JSON.stringify(message); // errorDetail's { err: { message, stack } }
    return JSON.stringify(value);
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
