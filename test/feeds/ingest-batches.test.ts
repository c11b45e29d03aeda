import { describe, expect, it } from 'vitest';
import { feedOf, ingestSetup } from './support/ingest-setup.js';

/**
 * A feed's stories are written in batches, one transaction each, sized so that a batch takes about
 * four slices of work (twelve when the event loop has been quiet), from a first guess of the cost per
 * story and then the cost measured so far; the dispatcher is woken once per batch that queued something.
 * Each record() call is one batch; the write cost is set per story on a controlled clock.
 */
describe('ingest: write batches', () => {
  it('first batch from the first guess (0.04 ms a story), later ones from the measured cost; four slices while busy', async () => {
    const t = ingestSetup({ backfill: 400 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 2;
    t.costPerStory(0.125);
    const result = await t.ingest(feedOf(400));
    // 4 slices × 2 ms / 0.04 = 200, then 4 × 2 / 0.125 = 64.
    expect(t.recorded).toEqual([200, 64, 64, 64, 8]);
    expect(t.woken).toEqual([200, 64, 64, 64, 8]);
    expect(result.queued).toHaveLength(400);
    expect(t.articleCount()).toBe(400);
    expect(t.slicer.pauses).toBe(5);
    // `finish` ran once, in the last batch's transaction.
    expect(result).toMatchObject({ finished: true, abandoned: null });
    expect(t.finishCalls()).toBe(1);
  });

  it('twelve slices a batch while the event loop is quiet', async () => {
    const t = ingestSetup({ backfill: 300 });
    t.slicer.quiet = true;
    t.slicer.budgetMs = 0.5;
    t.costPerStory(0.125);
    await t.ingest(feedOf(300));
    // 12 × 0.5 / 0.04 = 150, then 12 × 0.5 / 0.125 = 48.
    expect(t.recorded).toEqual([150, 48, 48, 48, 6]);

    const busy = ingestSetup({ backfill: 100 });
    busy.slicer.quiet = false;
    busy.slicer.budgetMs = 0.5;
    busy.costPerStory(0.125);
    await busy.ingest(feedOf(100));
    // 4 × 0.5 / 0.04 = 50, then 4 × 0.5 / 0.125 = 16.
    expect(busy.recorded).toEqual([50, 16, 16, 16, 2]);
  });

  it('never fewer than 10 stories a batch, however dear a story is', async () => {
    const t = ingestSetup({ backfill: 35 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 0.01;
    t.costPerStory(1);
    const result = await t.ingest(feedOf(35));
    expect(t.recorded).toEqual([10, 10, 10, 5]);
    expect(result.queued).toHaveLength(35);
  });

  it('a write measured at no time at all counts as 0.002 ms a story (no division by zero, no giant batch)', async () => {
    const t = ingestSetup({ backfill: 55 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 0.01;
    t.costPerStory(0);
    await t.ingest(feedOf(55));
    // First 4 × 0.01 / 0.04 = 1, so 10; then 4 × 0.01 / 0.002 = 20.
    expect(t.recorded).toEqual([10, 20, 20, 5]);
  });
});

describe('ingest: onQueued', () => {
  it('is called once per batch with the number of stories that batch queued, never with 0', async () => {
    // First poll: the newest 15 of 35 queued (written first), the other 20 only marked seen.
    const t = ingestSetup({ backfill: 15 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 0.01;
    t.costPerStory(1);
    const result = await t.ingest(feedOf(35));
    expect(t.recorded).toEqual([10, 10, 10, 5]);
    expect(t.woken).toEqual([10, 5]);
    expect(result.queued).toHaveLength(15);
    expect(result.skipped).toEqual({ 'seen-on-first-poll': 20 });
  });

  it('is not called when a poll queues nothing, and finish still runs with the one batch', async () => {
    const t = ingestSetup({ backfill: 0 });
    const result = await t.ingest(feedOf(5));
    expect(t.woken).toEqual([]);
    expect(t.recorded).toEqual([5]);
    expect(result).toMatchObject({ queued: [], finished: true, skipped: { 'seen-on-first-poll': 5 } });
    expect(t.finishCalls()).toBe(1);
  });

  it('a poll with nothing to write records nothing and leaves finish to the caller (finished: false)', async () => {
    const t = ingestSetup({ backfill: 5 });
    const result = await t.ingest(feedOf(0));
    expect(result).toMatchObject({ itemsInFeed: 0, queued: [], finished: false, abandoned: null });
    expect(t.recorded).toEqual([]);
    expect(t.finishCalls()).toBe(0);
  });

  it('without a finish step, finished stays false', async () => {
    const t = ingestSetup({ backfill: 2 });
    const result = await t.ingest(feedOf(2), { finish: undefined });
    expect(result).toMatchObject({ finished: false, abandoned: null });
    expect(result.queued).toHaveLength(2);
  });
});
