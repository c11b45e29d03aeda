import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFeedSettings } from '../../src/feeds/settings.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createFeedItemStore, type ItemWrite, type StoryKeys } from '../../src/store/feed-item-store.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { canonicalUrl } from '../../src/articles/canonical-url.js';
import { storyHash } from '../../src/articles/story-hash.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 11, 2, 9);

function setUp() {
  const file = path.join(tempDir(), 'newsdesk.db');
  const db = openDatabase(file);
  const queue = createArticleQueue(db);
  const items = createFeedItemStore(db, queue);
  const feed = createFeedStore(db).insert({ url: 'https://news.example.com/rss', ...resolveFeedSettings({}, { everyMinutes: 10, maxPerPoll: 10 }) }, T0);
  return { file, db, queue, items, feedId: feed.id };
}

function story(n: number): { keys: StoryKeys; write: ItemWrite } {
  const url = `https://news.example.com/story-${n}`;
  const headline = `Story number ${n} of the day`;
  const canonical = canonicalUrl(url);
  const keys = { guidKey: `1:guid-${n}`, canonicalUrl: canonical, contentHash: storyHash(headline, canonical) };
  return { keys, write: { keys, headline, outcome: 'queued', article: { headline, url, source: 'feed:1' } } };
}

describe('recording a feed poll planned from earlier lookups', () => {
  it('queues without looking again when nothing was written since the lookups, and chains batches', () => {
    const { items, queue, feedId } = setUp();
    const [a, b] = [story(1), story(2)];
    const { found, stamp } = items.lookupMany(feedId, [a.keys, b.keys]);
    expect(found).toEqual([{ kind: 'new' }, { kind: 'new' }]);
    const first = items.record(feedId, [a.write], T0, undefined, stamp)!;
    expect(first.written).toMatchObject([{ outcome: 'queued' }]);
    // Only this batch wrote since: the stamp it returns still vouches for b's lookup.
    expect(first.stamp).not.toBeNull();
    const second = items.record(feedId, [b.write], T0, undefined, first.stamp)!;
    expect(second.written).toMatchObject([{ outcome: 'queued' }]);
    expect(queue.get(second.written[0]!.articleId!)?.url).toBe('https://news.example.com/story-2');
  });

  it('looks again when this connection queued the story after the lookup (another door, same process)', () => {
    const { items, queue, feedId } = setUp();
    const a = story(1);
    const { stamp } = items.lookupMany(feedId, [a.keys]);
    const byEditor = queue.enqueue({ headline: 'Another headline, same link', url: 'https://news.example.com/story-1' }, T0);
    const result = items.record(feedId, [a.write], T0, undefined, stamp)!;
    expect(result.written).toEqual([{ outcome: 'duplicate', articleId: null, detail: `article ${byEditor.article.id} (queued)` }]);
    // Its lookups were stale: the next batch must look again too.
    expect(result.stamp).toBeNull();
  });

  it('looks again when another connection (the CLI) queued the story after the lookup', () => {
    const { file, items, feedId } = setUp();
    const a = story(1);
    const { stamp } = items.lookupMany(feedId, [a.keys]);
    const cli = openDatabase(file);
    createArticleQueue(cli).enqueue({ headline: 'Story number 1 of the day', url: 'https://news.example.com/story-1?utm_source=x' }, T0);
    cli.close();
    const result = items.record(feedId, [a.write], T0, undefined, stamp)!;
    expect(result.written[0]!.outcome).toBe('duplicate');
    expect(result.stamp).toBeNull();
  });

  it('a later batch looks again when something was written between two batches', () => {
    const { items, queue, feedId } = setUp();
    const [a, b] = [story(1), story(2)];
    const { stamp } = items.lookupMany(feedId, [a.keys, b.keys]);
    const first = items.record(feedId, [a.write], T0, undefined, stamp)!;
    queue.enqueue({ headline: 'Story number 2 of the day', url: 'https://www.news.example.com/story-2' }, T0);
    const second = items.record(feedId, [b.write], T0, undefined, first.stamp)!;
    expect(second.written[0]!.outcome).toBe('duplicate');
  });

  it('with no stamp (unknown lookups) it always looks again', () => {
    const { items, queue, feedId } = setUp();
    const a = story(1);
    queue.enqueue({ headline: 'x', url: 'https://news.example.com/story-1' }, T0);
    const result = items.record(feedId, [a.write], T0)!;
    expect(result.written[0]!.outcome).toBe('duplicate');
    expect(result.stamp).toBeNull();
  });
});
