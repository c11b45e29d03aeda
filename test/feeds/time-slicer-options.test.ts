import { describe, expect, it } from 'vitest';
import { createTimeSlicer, nextTurn, type GiveWayOptions } from '../../src/feeds/ingest/time-slicer.js';

/** A slicer on a hand-moved clock whose turns are released by hand (as in time-slicer.test.ts). */
function handSlicer(budgetMs: number, giveWay?: GiveWayOptions) {
  let now = 0;
  const turns: (() => void)[] = [];
  // A heap that never shrinks unless the test says so: a real collection between two turns would hide their other work.
  const slicer = createTimeSlicer(budgetMs, () => new Promise<void>((resolve) => turns.push(resolve)), () => now, { heapUsed: () => 0, ...giveWay });
  return {
    slicer,
    work: (ms: number) => (now += ms),
    async nextTurn() {
      turns.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** How many turns a pause() waits while every turn it yields runs `otherMs` of other work. */
async function turnsWaited(t: ReturnType<typeof handSlicer>, otherMs: number): Promise<number> {
  let done = false;
  void t.slicer.pause().then(() => (done = true));
  let turns = 0;
  while (!done && turns < 50) {
    t.work(otherMs);
    await t.nextTurn();
    turns += 1;
  }
  return turns;
}

describe('time slicer: the edges of busy and of waiting', () => {
  it('a turn in which other work ran exactly busyTurnMs counts as busy; a shorter one does not', async () => {
    // Turns of 1 ms (the default busyTurnMs) of other work: all busy, so it waits until 20 ms (4 budgets) have passed.
    expect(await turnsWaited(handSlicer(5), 1)).toBe(20);
    // Turns of 0.5 ms: not busy, so it takes the first one.
    expect(await turnsWaited(handSlicer(5), 0.5)).toBe(1);
  });

  it('gives way for exactly maxWaitMs of busy turns, not one turn more', async () => {
    const t = handSlicer(5);
    // 5 ms of other work a turn: busy at 5, 10, 15 ms; at 20 ms (= 4 budgets) it has waited long enough.
    expect(await turnsWaited(t, 5)).toBe(4);
  });

  it('takes its options: busyTurnMs, maxWaitMs and quietAfterMs', async () => {
    const t = handSlicer(5, { busyTurnMs: 3, maxWaitMs: 9, quietAfterMs: 7 });
    expect(await turnsWaited(t, 2)).toBe(1); // 2 ms is not busy at 3
    expect(await turnsWaited(t, 3)).toBe(3); // busy at 3 and 6 ms; 9 ms is the most it waits
    expect(t.slicer.quiet()).toBe(false);
    t.work(6);
    expect(t.slicer.quiet()).toBe(false);
    t.work(1);
    expect(t.slicer.quiet()).toBe(true);
  });
});

describe('time slicer: the garbage collector is not other work', () => {
  it('a turn in which the heap shrank (a scavenge ran) is not busy; one in which it grew or held is', async () => {
    let heap = 1_000;
    const t = handSlicer(5, { heapUsed: () => heap });
    t.work(100); // quiet by now: nothing busy for 20 budgets
    expect(t.slicer.quiet()).toBe(true);
    // 4 ms between turns, and the heap fell: the collector's pause, the slice is taken at the first turn.
    heap = 2_000;
    let done = false;
    void t.slicer.pause().then(() => (done = true));
    t.work(4);
    heap = 500;
    await t.nextTurn();
    expect(done).toBe(true);
    expect(t.slicer.quiet()).toBe(true);
    // The same 4 ms with the heap the same or grown (a post, a command): busy, given way to, not quiet.
    for (const after of [500, 900]) {
      const u = handSlicer(5, { heapUsed: () => heap });
      u.work(100);
      heap = 500;
      let given = false;
      void u.slicer.pause().then(() => (given = true));
      u.work(4);
      heap = after;
      await u.nextTurn();
      expect(given, `heap ${after}`).toBe(false);
      expect(u.slicer.quiet(), `heap ${after}`).toBe(false);
    }
  });
});

describe('time slicer: real clock and real turns', () => {
  it('by default measures with performance.now(): a slice used up by real work yields a turn', async () => {
    let pauses = 0;
    const slicer = createTimeSlicer(2, async () => {
      pauses += 1;
      await nextTurn();
    });
    const until = performance.now() + 5;
    while (performance.now() < until) {
      /* 5 ms of work: more than the 2 ms budget */
    }
    await slicer.tick();
    expect(pauses).toBeGreaterThanOrEqual(1);
  });

  it("by default reads V8's heap: a turn of other work that allocates nothing counts as busy", async () => {
    // Each turn runs 3 ms of other work that allocates nothing, so the heap does not shrink in it and
    // pause() keeps giving way (up to 4 budgets). A real collection landing in a turn could make one
    // attempt end early; a heap read that never works (or never compares) would end every attempt at
    // the first turn.
    const spin = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        // other work
      }
    };
    const turnsWaited: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      let turns = 0;
      const slicer = createTimeSlicer(5, () => new Promise<void>((resolve) => setImmediate(() => ((turns += 1), spin(3), resolve()))));
      await slicer.pause();
      turnsWaited.push(turns);
    }
    expect(Math.max(...turnsWaited), `turns waited: ${turnsWaited.join(', ')}`).toBeGreaterThan(1);
  });

  it('nextTurn resolves after the I/O and immediate callbacks already queued', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await nextTurn();
    order.push('after');
    expect(order).toEqual(['immediate', 'after']);
  });
});
