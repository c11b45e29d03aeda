import { describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/feeds/poll/poll-report.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

type Polled = Extract<PollReport, { status: 'polled' }>;

function polled(report: PollReport | null | undefined): Polled {
  if (report?.status !== 'polled') throw new Error(`expected a completed poll, got ${JSON.stringify(report)}`);
  return report;
}

describe('ingest: stories the article queue refuses', () => {
  it('a headline of zero-width characters only is reported rejected, with the queue reason, and not queued; the rest are', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([]) });
    const added = await setup.service.add(url);
    if (added.status !== 'added') throw new Error('not added');
    setup.server.serve('/news.rss', { body: rss([item(1, { title: '&#x200B;&#x200B;' }), item(2)]) });
    const report = polled(await setup.service.pollNow(added.feed.id));
    expect(report.queued.map((q) => q.headline)).toEqual(['Story number 2']);
    expect(report.skipped).toEqual({ rejected: 1 });
    expect(report.skippedStories).toEqual([
      {
        reason: 'rejected',
        headline: '\u200B\u200B',
        url: 'https://news.example.com/2026/story-1',
        detail: 'headline has no visible characters (only zero-width or blank ones): write the headline',
      },
    ]);
    expect(setup.articles().map((a) => a.headline)).toEqual(['Story number 2']);
    expect(setup.woken).toEqual([1]);
  });
});
