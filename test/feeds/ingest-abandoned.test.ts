import { describe, expect, it } from 'vitest';
import { feedOf, ingestSetup } from './support/ingest-setup.js';

/**
 * A poll's stories are written in batches with the event loop free in between; the service may stop,
 * or an editor remove the feed, meanwhile. The poll is then abandoned with the reason, what earlier
 * batches queued stays queued (and reported), and the poll's own record (`finish`) is not written.
 */
describe('ingest: polls abandoned between batches', () => {
  it('the service stopping after the first batch: abandoned, the first batch kept, nothing more written', async () => {
    const t = ingestSetup({ backfill: 35 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 0.01; // 10 stories a batch
    t.costPerStory(1);
    const result = await t.ingest(feedOf(35), { stopping: () => t.woken.length > 0 });
    expect(result.abandoned).toBe('the feed service is stopping');
    expect(result.finished).toBe(false);
    expect(result.queued).toHaveLength(10);
    expect(t.recorded).toEqual([10]);
    expect(t.woken).toEqual([10]);
    expect(t.articleCount()).toBe(10);
    expect(t.finishCalls()).toBe(0);
  });

  it('the service stopping before any batch: abandoned, nothing written', async () => {
    const t = ingestSetup({ backfill: 3 });
    const result = await t.ingest(feedOf(3), { stopping: () => true });
    expect(result).toMatchObject({ abandoned: 'the feed service is stopping', finished: false, queued: [], skipped: {} });
    expect(t.recorded).toEqual([]);
    expect(t.articleCount()).toBe(0);
  });

  it('the feed removed after the first batch: abandoned at the next, the first batch kept, the poll not recorded', async () => {
    const t = ingestSetup({ backfill: 15 });
    t.slicer.quiet = false;
    t.slicer.budgetMs = 0.01; // 10 stories a batch
    t.costPerStory(1);
    const result = await t.ingest(feedOf(15), {
      onQueued: (n) => {
        t.woken.push(n);
        t.feeds.remove(t.feed.id);
      },
    });
    expect(result.abandoned).toBe('the feed was removed during the poll');
    expect(result.finished).toBe(false);
    expect(result.queued).toHaveLength(10);
    // The second (last) batch was tried and wrote nothing.
    expect(t.recorded).toEqual([10, 5]);
    expect(t.woken).toEqual([10]);
    expect(t.articleCount()).toBe(10);
    expect(t.finishCalls()).toBe(0);
  });

  it('the feed removed before the only batch: abandoned with nothing queued', async () => {
    const t = ingestSetup({ backfill: 2 });
    t.feeds.remove(t.feed.id);
    const result = await t.ingest(feedOf(2));
    expect(result).toMatchObject({ abandoned: 'the feed was removed during the poll', finished: false, queued: [], skipped: {} });
    expect(t.articleCount()).toBe(0);
    expect(t.woken).toEqual([]);
  });
});
