import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../src/articles/canonical-url.js';
import { storyHash } from '../../src/articles/story-hash.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 11, 2, 9);

function setUp() {
  const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
  const queue = createArticleQueue(db);
  const keysOf = (id: number) => db.prepare<[number], { canonical_url: string; content_hash: string }>('SELECT canonical_url, content_hash FROM articles WHERE id = ?').get(id)!;
  return { db, queue, keysOf };
}

/**
 * enqueueMany takes the canonical link and story hash a feed already worked out, and uses them only for
 * the link (and headline) they were worked out from. Marked keys ("known-…") show which were stored.
 */
describe('enqueueMany with keys the caller already has', () => {
  const url = 'https://news.example.com/a?utm_source=rss';
  const headline = 'Council approves the budget';

  it('stores the given keys when the validated link and headline are the ones they belong to', () => {
    const { queue, keysOf } = setUp();
    const [result] = queue.enqueueMany([{ headline, url }], T0, [{ url, headline, canonicalUrl: 'known-canonical', contentHash: 'known-hash' }]);
    expect(keysOf((result as { article: { id: number } }).article.id)).toEqual({ canonical_url: 'known-canonical', content_hash: 'known-hash' });
  });

  it('works the keys out again for another link', () => {
    const { queue, keysOf } = setUp();
    const [result] = queue.enqueueMany([{ headline, url }], T0, [{ url: 'https://news.example.com/b', headline, canonicalUrl: 'known-canonical', contentHash: 'known-hash' }]);
    const canonical = canonicalUrl(url);
    expect(keysOf((result as { article: { id: number } }).article.id)).toEqual({ canonical_url: canonical, content_hash: storyHash(headline, canonical) });
  });

  it('keeps the canonical link but hashes again for another headline (the hash is of both)', () => {
    const { queue, keysOf } = setUp();
    const [result] = queue.enqueueMany([{ headline, url }], T0, [{ url, headline: 'Another headline', canonicalUrl: 'known-canonical', contentHash: 'known-hash' }]);
    expect(keysOf((result as { article: { id: number } }).article.id)).toEqual({ canonical_url: 'known-canonical', content_hash: storyHash(headline, 'known-canonical') });
  });

  it('without keys for an input (or none at all) works them out', () => {
    const { queue, keysOf } = setUp();
    const results = queue.enqueueMany([{ headline, url }, { headline: 'Second story', url: 'https://news.example.com/c' }], T0, [undefined]);
    const ids = results.map((r) => (r as { article: { id: number } }).article.id);
    expect(keysOf(ids[0]!).canonical_url).toBe(canonicalUrl(url));
    expect(keysOf(ids[1]!).content_hash).toBe(storyHash('Second story', canonicalUrl('https://news.example.com/c')));
  });

  describe('absent: the caller vouches that no article has either key', () => {
    const existingUrl = 'https://news.example.com/a';

    /** A queue holding one article at `existingUrl`, and how many articles it holds. */
    function withOneArticle() {
      const parts = setUp();
      parts.queue.enqueue({ headline, url: existingUrl }, T0);
      const count = () => parts.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM articles').get()!.n;
      return { ...parts, count };
    }

    it('is not looked up again when the link and headline are the ones vouched for', () => {
      const { queue, count } = withOneArticle();
      // The story hash given is the queued article's: looked up, it would make this one `existing`.
      const hash = storyHash(headline, canonicalUrl(existingUrl));
      const [result] = queue.enqueueMany([{ headline, url: `${existingUrl}?x=1` }], T0, [
        { url: `${existingUrl}?x=1`, headline, canonicalUrl: 'known-canonical', contentHash: hash, absent: true },
      ]);
      expect(result).toMatchObject({ outcome: 'created' });
      expect(count()).toBe(2);
    });

    it('is looked up as usual without the mark, for another link, or for another headline', () => {
      const { queue, count } = withOneArticle();
      const canonical = canonicalUrl(existingUrl);
      const hash = storyHash(headline, canonical);
      const results = queue.enqueueMany(
        [
          { headline, url: existingUrl },
          { headline, url: existingUrl },
          { headline, url: existingUrl },
        ],
        T0,
        [
          { url: existingUrl, headline, canonicalUrl: canonical, contentHash: hash, absent: false },
          { url: `${existingUrl}?other`, headline, canonicalUrl: canonical, contentHash: hash, absent: true },
          { url: existingUrl, headline: 'Another headline', canonicalUrl: canonical, contentHash: hash, absent: true },
        ],
      );
      expect(results.map((r) => (r as { outcome: string }).outcome)).toEqual(['existing', 'existing', 'existing']);
      expect(count()).toBe(1);
    });
  });
});
