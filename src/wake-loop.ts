import type { Clock } from './clock.js';
import { errorDetail, type Logger } from './log.js';

export interface WakeLoopOptions {
  clock: Clock;
  log: Logger;
  /** Names the loop in its error line: `<name> loop failed; looking again in 30 s`. */
  name: string;
  /** One pass over what is due. May call `arm` to be woken later; what it throws is logged and retried in 30 s. */
  pass(): Promise<void>;
}

/**
 * A wake-driven single-flight loop (the correction worker, the webhook sender): anything may wake it,
 * a pass never overlaps another (a wake during a pass runs one more pass after it), a timer wakes it at
 * the earliest time it was armed for, and a throwing pass never ends it.
 */
export function createWakeLoop(options: WakeLoopOptions) {
  const { clock, log } = options;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let timer: { at: number; cancel: () => void } | null = null;

  /** Wakes the loop at `at`, unless an earlier wake still to come is already set. */
  function arm(at: number): void {
    if (stopped) return;
    if (timer && timer.at <= at && timer.at > clock.now()) return;
    timer?.cancel();
    timer = { at, cancel: clock.setTimer(Math.max(0, at - clock.now()), () => ((timer = null), wake())) };
  }

  /** Asks for a pass. Cheap and safe to call any number of times. */
  function wake(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pump().finally(() => {
      running = null;
    });
  }

  async function pump(): Promise<void> {
    do {
      again = false;
      try {
        await options.pass();
      } catch (err) {
        // The loop's error boundary: a database hiccup must not end it for good.
        log.error({ ...errorDetail(err) }, `${options.name} loop failed; looking again in 30 s`);
        arm(clock.now() + 30_000);
      }
    } while (again && !stopped);
  }

  return {
    wake,
    arm,
    /** Whether stop() was called (a pass checks it between steps). */
    get stopped(): boolean {
      return stopped;
    },
    /** Resolves when no pass is running. */
    async idle(): Promise<void> {
      while (running) await running;
    },
    /** Stops waking and waits for the pass in flight, if any. */
    async stop(): Promise<void> {
      stopped = true;
      timer?.cancel();
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}

export type WakeLoop = ReturnType<typeof createWakeLoop>;
