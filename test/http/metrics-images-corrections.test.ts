import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/article.js';
import { createMetrics } from '../../src/http/metrics.js';

describe('metrics: image fallbacks and corrections', () => {
  it('counts image posts that went out as text by reason, and corrections by method, with zero series from the start', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const before = await metrics.render();
    expect(before).toContain('newsdesk_corrections_total{method="edit"} 0');
    expect(before).toContain('newsdesk_corrections_total{method="follow-up"} 0');
    metrics.events.imageFallback({ id: 1 } as Article, 'not-an-image');
    metrics.events.imageFallback({ id: 2 } as Article, 'not-an-image');
    metrics.recordImageFallback('send-refused');
    metrics.recordCorrection('follow-up');
    const after = await metrics.render();
    expect(after).toContain('newsdesk_image_fallbacks_total{reason="not-an-image"} 2');
    expect(after).toContain('newsdesk_image_fallbacks_total{reason="send-refused"} 1');
    expect(after).toContain('newsdesk_corrections_total{method="follow-up"} 1');
    expect(after).toContain('newsdesk_corrections_total{method="edit"} 0');
  });
});
