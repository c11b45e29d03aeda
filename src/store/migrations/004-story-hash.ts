import { canonicalUrl } from '../../articles/canonical-url.js';
import { storyHash } from '../../articles/story-hash.js';
import type { Db } from '../open-database.js';

/**
 * Articles get the story hash feed items already had, so a story queued by an editor, the CLI or the
 * API is recognised when a feed brings it under another URL of the same site, and the other way round.
 * The hash now includes the query string (less tracking parameters): existing rows are recomputed, and
 * canonical URLs too, since `ref` is now a tracking parameter. And the highest feed id ever given is
 * recorded, so no new feed takes a removed one's id.
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

  // New feeds take ids past the highest ever given (feed-store.ts). A feed removed before this
  // migration survives only in its stories' GUID keys (`feed:<id>:…`): count those too.
  const highest = db
    .prepare<[], { n: number | null }>(
      `SELECT MAX(n) AS n FROM (
         SELECT MAX(id) AS n FROM feeds
         UNION ALL
         SELECT MAX(CAST(substr(guid_key, 6, instr(substr(guid_key, 6), ':') - 1) AS INTEGER)) FROM feed_items WHERE guid_key LIKE 'feed:%:%'
       )`,
    )
    .get()?.n;
  if (highest) {
    db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('feeds.highest_id', ?, 0) ON CONFLICT (key) DO NOTHING`).run(String(highest));
  }
}
