import { describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/feeds/poll/poll-report.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

type Polled = Extract<PollReport, { status: 'polled' }>;

function polled(report: PollReport | null | undefined): Polled {
  if (report?.status !== 'polled') throw new Error(`expected a completed poll, got ${JSON.stringify(report)}`);
  return report;
}

/** A story without a publication date (an empty pubDate). */
const undated = (n: number, title: string) => item(n, { title, date: '' });
const dated = (n: number, title: string, date: string) => item(n, { title, date });

/**
 * Which new stories a poll queues, and in which order, when some have no date: dated stories count as
 * newer than undated ones, undated ones keep their document order among themselves, and the chosen
 * stories are queued oldest first (so undated ones first).
 */
describe('ingest: undated stories beside dated ones', () => {
  it('backfill takes the dated stories newest first, then the undated ones in document order; queued oldest first', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', {
      body: rss([
        undated(1, 'Undated A'),
        dated(2, 'Dated two', 'Thu, 26 Nov 2026 10:02:00 GMT'),
        undated(3, 'Undated B'),
        dated(4, 'Dated one', 'Thu, 26 Nov 2026 10:01:00 GMT'),
        undated(5, 'Undated C'),
        dated(6, 'Dated three', 'Thu, 26 Nov 2026 10:03:00 GMT'),
      ]),
    });
    const added = await setup.service.add(url, { backfill: 4 });
    if (added.status !== 'added') throw new Error('not added');
    const report = polled(added.poll);
    expect(report.queued.map((q) => q.headline)).toEqual(['Undated A', 'Dated one', 'Dated two', 'Dated three']);
    expect(setup.articles().map((a) => a.headline)).toEqual(['Undated A', 'Dated one', 'Dated two', 'Dated three']);
    expect(report.skipped).toEqual({ 'seen-on-first-poll': 2 });
    expect(report.skippedStories.map((s) => [s.reason, s.headline, s.detail])).toEqual([
      ['seen-on-first-poll', 'Undated B', null],
      ['seen-on-first-poll', 'Undated C', null],
    ]);
  });

  it('a story dated before 1970 (a negative timestamp) still counts as newer than an undated one', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/history.rss', {
      body: rss([
        undated(1, 'Undated before'),
        dated(2, 'Moon landing, as reported', 'Sun, 20 Jul 1969 20:17:00 GMT'),
        undated(3, 'Undated after'),
      ]),
    });
    const added = await setup.service.add(url, { backfill: 1 });
    if (added.status !== 'added') throw new Error('not added');
    expect(polled(added.poll).queued.map((q) => q.headline)).toEqual(['Moon landing, as reported']);

    // The same the other way round: the dated story listed last.
    const other = setup.server.serve('/history-2.rss', {
      body: rss([undated(11, 'Undated first'), undated(12, 'Undated second'), dated(13, 'Apollo 11 returns', 'Thu, 24 Jul 1969 16:50:00 GMT')]),
    });
    const second = await setup.service.add(other, { backfill: 2 });
    if (second.status !== 'added') throw new Error('not added');
    expect(polled(second.poll).queued.map((q) => q.headline)).toEqual(['Undated first', 'Apollo 11 returns']);
  });

  it('over the cap, undated stories are the ones left out, with the reason and the cap in the detail', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([]) });
    const added = await setup.service.add(url, { maxPerPoll: 2 });
    if (added.status !== 'added') throw new Error('not added');
    setup.server.serve('/news.rss', {
      body: rss([
        undated(1, 'Undated A'),
        dated(2, 'Dated older', 'Thu, 26 Nov 2026 10:01:00 GMT'),
        undated(3, 'Undated B'),
        dated(4, 'Dated newer', 'Thu, 26 Nov 2026 10:02:00 GMT'),
      ]),
    });
    const report = polled(await setup.service.pollNow(added.feed.id));
    expect(report.queued.map((q) => q.headline)).toEqual(['Dated older', 'Dated newer']);
    expect(report.skipped).toEqual({ 'over-cap': 2 });
    expect(report.skippedStories.map((s) => [s.reason, s.headline, s.detail])).toEqual([
      ['over-cap', 'Undated A', 'more than 2 new stories in one poll'],
      ['over-cap', 'Undated B', 'more than 2 new stories in one poll'],
    ]);
  });

  it('stories with the same date keep their document order', async () => {
    const setup = await feedSetup();
    const same = 'Thu, 26 Nov 2026 10:00:00 GMT';
    const url = setup.server.serve('/news.rss', {
      body: rss([dated(1, 'Same time one', same), dated(2, 'Same time two', same), dated(3, 'Same time three', same), dated(4, 'Earlier', 'Thu, 26 Nov 2026 09:00:00 GMT')]),
    });
    const added = await setup.service.add(url, { backfill: 2 });
    if (added.status !== 'added') throw new Error('not added');
    // Newest first: one, two, three (document order), earlier; the first two are queued, oldest of them first.
    expect(polled(added.poll).queued.map((q) => q.headline)).toEqual(['Same time two', 'Same time one']);
  });
});
