import { createRequire } from 'node:module';
import { once } from '../once.js';

/**
 * The only user of node-cron: cron ticks are wake-ups, never the source of truth. Loaded on first use:
 * every CLI call validates NEWSDESK_SCHEDULE but none schedules, and node-cron brings child_process and
 * crypto with it (see once.ts).
 */
const cron = once(() => createRequire(import.meta.url)('node-cron') as typeof import('node-cron'));

/** The default schedule: every minute. */
export const EVERY_MINUTE = '* * * * *';

/** Returns a human explanation of what is wrong with a cron expression, or null when it is valid. */
export function explainCronProblem(expression: string): string | null {
  // Stryker disable next-line ConditionalExpression: node-cron finds the default valid too; the shortcut only spares loading node-cron (a start-up cost)
  if (expression === EVERY_MINUTE) return null; // the default, valid as written: no need to load node-cron
  const result = cron().validateDetailed(expression);
  if (result.valid) return null;
  const details = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  // Stryker disable next-line StringLiteral: node-cron names at least one error whenever it finds one; a guard for an upgrade
  return details || 'not a cron expression';
}

export interface WakeSchedule {
  /** When the schedule fires next, or null when it never will. */
  nextTick(): Date | null;
  stop(): Promise<void>;
}

/**
 * Calls `onTick` with the tick's time on every cron tick in `timezone`. A throwing `onTick` is the
 * caller's to handle; node-cron keeps ticking either way, and ticks never overlap.
 */
export function startWakeSchedule(
  expression: string,
  timezone: string,
  onTick: (tickAt: Date) => void,
): WakeSchedule {
  const task = cron().schedule(expression, (ctx) => onTick(ctx.date), {
    timezone,
    // Stryker disable next-line StringLiteral: the name only labels the task inside node-cron
    name: 'newsdesk-wake',
    // Stryker disable next-line BooleanLiteral: onTick is synchronous, so one run always ends before the next can start
    noOverlap: true,
    suppressMissedWarning: true,
  });
  return {
    nextTick: () => task.getNextRun(),
    stop: async () => {
      await task.destroy();
    },
  };
}
