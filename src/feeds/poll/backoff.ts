/** The longest a failing feed waits between polls (unless its own interval is longer). */
export const MAX_BACKOFF_MS = 6 * 3_600_000;

/**
 * When to poll a feed again after its `failures`-th failure in a row: its interval, doubled for each
 * further failure (5, 10, 20, 40 min …), at most six hours; longer if the site asked (Retry-After, up
 * to a day).
 */
export function nextPollAfterFailure(now: number, everyMinutes: number, failures: number, retryAfterMs: number | null): number {
  const every = everyMinutes * 60_000;
  const grown = every * 2 ** Math.min(Math.max(failures - 1, 0), 16);
  const delay = Math.min(grown, Math.max(every, MAX_BACKOFF_MS));
  const asked = Math.min(retryAfterMs ?? 0, 24 * 3_600_000);
  return now + Math.max(delay, asked);
}
