import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';

describe('metrics per channel', () => {
  it('count each channel\'s deliveries by status and its finished posts by outcome, with a channel label', async () => {
    const metrics = createMetrics({ defaultMetrics: false, channelCounts: () => ({ main: { posted: 3, queued: 1 }, sport: { failed: 2 } }) });
    const article = { id: 1, createdAt: 0, publishAt: 0, timed: false, postedAt: 1_000 } as never;
    metrics.events.posted?.(article, { channel: 'sport', finishedAt: 1_000, startedAt: 900 } as never);
    metrics.events.posted?.(article, { channel: 'main', finishedAt: 1_000, startedAt: 900 } as never);
    metrics.events.failed?.(article, 'gave up', 'sport');
    const text = await metrics.render();
    expect(text).toContain('newsdesk_channel_deliveries{channel="main",status="posted"} 3');
    expect(text).toContain('newsdesk_channel_deliveries{channel="main",status="failed"} 0');
    expect(text).toContain('newsdesk_channel_deliveries{channel="sport",status="failed"} 2');
    expect(text).toContain('newsdesk_channel_posts_total{channel="sport",outcome="posted"} 1');
    expect(text).toContain('newsdesk_channel_posts_total{channel="main",outcome="posted"} 1');
    expect(text).toContain('newsdesk_channel_posts_total{channel="sport",outcome="failed"} 1');
    // The channel-less totals stay as they were.
    expect(text).toContain('newsdesk_posts_total{outcome="posted"} 2');
  });
});
