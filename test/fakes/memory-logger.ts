import type { Logger } from '../../src/log.js';

export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string;
  obj: Record<string, unknown>;
}

/** A Logger that records every entry (children included) so tests can assert on what was logged. */
export function createMemoryLogger(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: LogEntry['level']) =>
      (obj: object, msg: string): void => {
        entries.push({ level, msg, obj: { ...bindings, ...obj } });
      };
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      fatal: at('fatal'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return { log: make({}), entries };
}
