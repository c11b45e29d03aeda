/**
 * The logging surface the core uses: pino's, so production gets pino (src/pino-logger.ts) and tests a
 * recorder. This file stays free of pino itself: most modules need only the type and the error helpers,
 * and a CLI call that never logs should not load pino and pino-pretty (about 80 files).
 */
export interface Logger {
  trace(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  fatal(obj: object, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
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
