/**
 * Waiting for a database another process holds, without blocking the event loop.
 *
 * SQLite waits for a lock inside the call (busy_timeout), which in Node stops everything else: with a
 * 10 s timeout, one write queued behind the CLI or a `sqlite3` shell froze /healthz, the API and
 * WhatsApp for 10 s. So the bot's connection waits at most RUNNING_BUSY_TIMEOUT_MS inside SQLite, and
 * the doors (the command core, the posting loop) retry a write that found the database locked after an
 * asynchronous pause that grows, while everything else goes on.
 */

/**
 * The longest SQLite may block the bot's event loop waiting for a lock, once the database is open:
 * long enough for another process's ordinary commit (an fsync, tens of ms on a busy disk) to finish.
 */
export const RUNNING_BUSY_TIMEOUT_MS = 100;

/** Pauses between attempts: short at first (most locks last milliseconds), then each second up to ~30 s in all. */
const DEFAULT_DELAYS_MS = [10, 25, 50, 100, 200, 400, 800, ...Array<number>(28).fill(1_000)];

/** Whether `err` only means another connection holds the lock right now (worth trying again). */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** The database stayed locked by another process for the whole retry budget. */
export class DatabaseBusyError extends Error {
  constructor(waitedMs: number, options?: { cause?: unknown }) {
    super(
      `the database stayed locked by another process for ${Math.round(waitedMs / 1000)} s (a long-running CLI command, backup or sqlite3 shell?): nothing was changed; finish or stop that process and try again`,
      options,
    );
    this.name = 'DatabaseBusyError';
  }
}

export interface BusyRetryOptions {
  /** Pauses between attempts, in ms; the number of entries bounds the attempts. */
  delaysMs?: readonly number[];
  /** Waits `ms`. Default: a real timer, kept referenced so a CLI process waits too (the lock is another process's, on real time). */
  sleep?: (ms: number) => Promise<void>;
  /** Told before each pause (for a debug log). */
  onBusy?: (attempt: number, delayMs: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work`; while it throws a busy error, pauses (asynchronously) and runs it again. `work` must be
 * safe to repeat after a busy error, which holds for our writes: each is one `BEGIN IMMEDIATE`
 * transaction, and a busy error means it never began, so nothing of it was written.
 */
export async function retryWhileBusy<T>(work: () => T | Promise<T>, options: BusyRetryOptions = {}): Promise<T> {
  const delays = options.delaysMs ?? DEFAULT_DELAYS_MS;
  const sleep = options.sleep ?? realSleep;
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      const delay = delays[attempt];
      if (!isBusy(err)) throw err;
      if (delay === undefined) throw new DatabaseBusyError(waited, { cause: err });
      options.onBusy?.(attempt + 1, delay);
      await sleep(delay);
      waited += delay;
    }
  }
}
