import { describe, expect, it } from 'vitest';
import { createTimeSlicer } from '../../src/feeds/ingest/time-slicer.js';

/** A slicer on a hand-moved clock whose "turns" are counted and released by hand. */
function handSlicer(budgetMs: number) {
  let now = 0;
  const turns: (() => void)[] = [];
  // A heap that never shrinks: a real collection between two turns would otherwise hide their other work.
  const slicer = createTimeSlicer(budgetMs, () => new Promise<void>((resolve) => turns.push(resolve)), () => now, { heapUsed: () => 0 });
  return {
    slicer,
    work: (ms: number) => (now += ms),
    turnsWaited: () => turns.length,
    async nextTurn() {
      turns.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('time slicer', () => {
  it('counts as quiet once no yielded turn has found other work for 20 budgets, and busy again at the first that does', async () => {
    const t = handSlicer(5);
    expect(t.slicer.quiet()).toBe(false); // not known yet
    t.work(99);
    expect(t.slicer.quiet()).toBe(false);
    t.work(1);
    expect(t.slicer.quiet()).toBe(true);
    // A turn in which other work ran 2 ms (a breaking post): busy from then on.
    const paused = t.slicer.pause();
    t.work(2);
    await t.nextTurn();
    await t.nextTurn(); // it gives way one more turn after a busy one
    await paused;
    expect(t.slicer.quiet()).toBe(false);
    // Quiet turns only: quiet again 100 ms after that busy one (it ended at 102 ms).
    t.work(97);
    expect(t.slicer.quiet()).toBe(false);
    const again = t.slicer.pause();
    await t.nextTurn();
    await again;
    expect(t.slicer.quiet()).toBe(false);
    t.work(3);
    expect(t.slicer.quiet()).toBe(true);
  });

  it('lets work run until the budget is used, then yields a turn', async () => {
    const t = handSlicer(5);
    let done = false;
    void t.slicer.tick().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(true);
    t.work(5);
    done = false;
    void t.slicer.tick().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await t.nextTurn();
    expect(done).toBe(true);
  });

  it('shares one budget per turn among all who use it (several polls in flight)', async () => {
    const t = handSlicer(5);
    const log: string[] = [];
    // Two polls of 20 steps of 1 ms each: with a 5 ms budget each, they would take 10 steps per turn.
    const poll = async (name: string) => {
      for (let step = 0; step < 20; step += 1) {
        await t.slicer.tick();
        t.work(1);
        log.push(name);
      }
    };
    const both = Promise.all([poll('a'), poll('b')]);
    for (let turn = 0; turn < 40 && log.filter((x) => x !== '|').length < 40; turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('|');
      await t.nextTurn();
    }
    await both;
    // 5 ms of budget, plus at most one step for each poll that resumed after a check had passed.
    const perTurn = log.join('').split('|').map((s) => s.length);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(6);
    expect(log.join('')).toContain('a');
    expect(log.filter((x) => x !== '|')).toHaveLength(40);
  });

  it('gives way while other work keeps the turns busy (a backlog of posts), for at most maxWaitMs', async () => {
    const t = handSlicer(5);
    t.work(5);
    let done = false;
    void t.slicer.tick().then(() => (done = true));
    t.work(3); // the dispatcher posts in the turn the feed work yielded
    await t.nextTurn();
    expect(done).toBe(false);
    await t.nextTurn(); // a quiet turn: the feed work takes its slice
    expect(done).toBe(true);

    // Busy turn after busy turn: the feed work still runs once it has waited 4 budgets (20 ms).
    t.work(5);
    done = false;
    void t.slicer.tick().then(() => (done = true));
    let turns = 0;
    while (!done && turns < 10) {
      t.work(6);
      await t.nextTurn();
      turns += 1;
    }
    expect(turns).toBe(4);
  });

  it('pause() ends the slice at once, for everyone waiting on it', async () => {
    const t = handSlicer(5);
    let resumed = 0;
    void t.slicer.pause().then(() => (resumed += 1));
    void t.slicer.pause().then(() => (resumed += 1));
    await Promise.resolve();
    expect(resumed).toBe(0);
    expect(t.turnsWaited()).toBe(1);
    await t.nextTurn();
    expect(resumed).toBe(2);
  });
});
