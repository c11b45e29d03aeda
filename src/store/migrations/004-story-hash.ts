import { canonicalUrl } from '../../articles/canonical-url.js';
import { storyHash } from '../../articles/story-hash.js';
import type { Db } from '../open-database.js';

/**
 * Articles get the story hash feed items already had, so a story queued by an editor, the CLI or the
 * API is recognised when a feed brings it under another URL of the same site, and the other way round.
 * The hash now includes the query string (less tracking parameters): existing rows are recomputed, and
 * canonical URLs too, since `ref` is now a tracking parameter.
 */
export function migrate(db: Db): void {
  db.exec(`ALTER TABLE articles ADD COLUMN content_hash TEXT;`);
  const articles = db.prepare<[], { id: number; headline: string; url: string; canonical_url: string }>('SELECT id, headline, url, canonical_url FROM articles');
  const taken = db.prepare<[string, number], { id: number }>('SELECT id FROM articles WHERE canonical_url = ? AND id <> ?');
  const setArticle = db.prepare('UPDATE articles SET canonical_url = ?, content_hash = ? WHERE id = ?');
  for (const row of articles.all()) {
    let canonical = row.canonical_url;
    try {
      canonical = canonicalUrl(row.url);
    } catch {
      // stored before validation tightened: keep the canonical URL it has
    }
    if (canonical !== row.canonical_url && taken.get(canonical, row.id)) canonical = row.canonical_url; // keep both rows unique
    setArticle.run(canonical, storyHash(row.headline, canonical), row.id);
  }
  const items = db.prepare<[], { id: number; headline: string; canonical_url: string }>('SELECT id, headline, canonical_url FROM feed_items');
  const setItem = db.prepare('UPDATE feed_items SET canonical_url = ?, content_hash = ? WHERE id = ?');
  for (const row of items.all()) {
    let canonical = row.canonical_url;
    try {
      canonical = canonicalUrl(row.canonical_url);
    } catch {
      // keep it
    }
    setItem.run(canonical, storyHash(row.headline, canonical), row.id);
  }
  db.exec(`CREATE INDEX articles_by_story_hash ON articles (content_hash);`);
}
