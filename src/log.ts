import { pino } from 'pino';
import pretty from 'pino-pretty';

/** The logging surface the core uses: pino's, so production gets pino and tests a recorder. */
export interface Logger {
  trace(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  fatal(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * JSON lines on stdout for machines; `pretty` (the default when stdout is a terminal) gives readable
 * lines for people. NEWSDESK_LOG_FORMAT=json|pretty overrides the guess.
 */
export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env, fd: 1 | 2 = 1): Logger {
  const stream = fd === 1 ? process.stdout : process.stderr;
  const format = env.NEWSDESK_LOG_FORMAT ?? (stream.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    // A synchronous stream rather than a worker transport: nothing is lost when the process exits.
    return pino({ level }, pretty({ colorize: Boolean(stream.isTTY), translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true, destination: fd }));
  }
  return pino({ level, base: { app: 'newsdesk' } }, pino.destination({ dest: fd, sync: true }));
}

/** Serialises anything thrown (including the plain strings whatsapp-web.js throws) for a log line. */
export function errorDetail(err: unknown): { err: { message: string; name?: string; stack?: string; cause?: unknown } } {
  if (err instanceof Error) {
    return { err: { message: err.message, name: err.name, stack: err.stack, cause: err.cause instanceof Error ? err.cause.message : err.cause } };
  }
  return { err: { message: String(err) } };
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
