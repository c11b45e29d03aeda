import { raceTimer, TIMED_OUT, type Clock } from '../clock.js';

/** Thrown when an awaited step takes longer than allowed. */
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${Math.round(ms / 1000)} s`);
    this.name = 'TimeoutError';
  }
}

/** Resolves or rejects like `promise`, or rejects with TimeoutError after `ms` on `clock`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock, what: string): Promise<T> {
  const result = await raceTimer(clock, ms, promise);
  if (result === TIMED_OUT) throw new TimeoutError(what, ms);
  return result;
}

/** Waits `ms` on `clock`. */
export function sleep(ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => clock.setTimer(ms, resolve));
}

/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential from `baseMs`,
 * capped at `maxMs`, with "full jitter" in [50 %, 100 %] so many failed articles do not retry in step.
 */
export function retryDelayMs(attempt: number, baseMs = 30_000, maxMs = 30 * 60_000, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
