import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestItems } from '../../src/feeds/ingest/ingest.js';
import type { TimeSlicer } from '../../src/feeds/ingest/time-slicer.js';
import type { ParsedFeed, RawItem } from '../../src/feeds/parse/feed-document.js';
import { parseFeed } from '../../src/feeds/parse/parse-feed.js';
import type { PollReport } from '../../src/feeds/poll/poll-report.js';
import { resolveFeedSettings } from '../../src/feeds/settings.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createFeedItemStore } from '../../src/store/feed-item-store.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

type Polled = Extract<PollReport, { status: 'polled' }>;

function polled(report: PollReport | null | undefined): Polled {
  if (report?.status !== 'polled') throw new Error(`expected a completed poll, got ${JSON.stringify(report)}`);
  return report;
}

/** A primed feed (first poll of an empty document) with the given keyword settings; returns its id. */
async function addPrimed(setup: Awaited<ReturnType<typeof feedSetup>>, settings: { include?: string[]; exclude?: string[] }) {
  const url = setup.server.serve('/news.rss', { body: rss([]) });
  const added = await setup.service.add(url, settings);
  if (added.status !== 'added') throw new Error('not added');
  return added.feed.id;
}

describe('keyword filters with one list only', () => {
  it('include words only: a story with none of them (headline or summary) is filtered, the others are queued', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, { include: ['Rail'] });
    setup.server.serve('/news.rss', {
      body: rss([
        item(1, { title: 'Rail strike called for Friday' }),
        item(2, { title: 'Budget passes', description: 'Ministers agree the spending plan.' }),
        item(3, { title: 'Weather', description: 'Snow may disrupt rail services.' }),
      ]),
    });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued.map((q) => q.headline).sort()).toEqual(['Rail strike called for Friday', 'Weather']);
    expect(report.skipped).toEqual({ filtered: 1 });
    expect(report.skippedStories).toEqual([{ reason: 'filtered', headline: 'Budget passes', url: 'https://news.example.com/2026/story-2', detail: 'contains none of the words "rail"' }]);
    expect(setup.articles().map((a) => a.headline).sort()).toEqual(['Rail strike called for Friday', 'Weather']);
  });

  it('exclude words only: a story with one of them (headline or summary) is filtered, every other story is queued', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, { exclude: ['Opinion', 'sponsored'] });
    setup.server.serve('/news.rss', {
      body: rss([
        item(1, { title: 'Opinion: the rail strike is wrong' }),
        item(2, { title: 'Rail strike called for Friday' }),
        item(3, { title: 'Holidays in the sun', description: 'A SPONSORED guide to the coast.' }),
        item(4, { title: 'Budget passes' }),
      ]),
    });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued.map((q) => q.headline).sort()).toEqual(['Budget passes', 'Rail strike called for Friday']);
    expect(report.skipped).toEqual({ filtered: 2 });
    expect(report.skippedStories.map((s) => [s.headline, s.detail]).sort()).toEqual([
      ['Holidays in the sun', 'contains excluded word "sponsored"'],
      ['Opinion: the rail strike is wrong', 'contains excluded word "opinion"'],
    ]);
    expect(setup.articles()).toHaveLength(2);
  });
});

const T0 = Date.UTC(2026, 11, 2, 9);

/** `parsed`, with every read of an item's summary counted (reading and cleaning summaries is the dear part of mapping). */
function countingSummaries(parsed: ParsedFeed): { parsed: ParsedFeed; reads: () => number } {
  let reads = 0;
  const counted: ParsedFeed = {
    ...parsed,
    count: parsed.count,
    item(index: number): RawItem {
      const raw = parsed.item(index);
      return Object.defineProperty({ ...raw }, 'summary', {
        enumerable: true,
        get() {
          reads += 1;
          return raw.summary;
        },
      });
    },
  };
  return { parsed: counted, reads: () => reads };
}

describe('keyword filters: summaries are read only when needed', () => {
  const quietSlicer: TimeSlicer = { budgetMs: 5, tick: async () => undefined, pause: async () => undefined, quiet: () => true };

  async function ingestFirstPoll(settings: { include?: string[]; exclude?: string[] }) {
    const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
    const items = createFeedItemStore(db, createArticleQueue(db));
    const feed = createFeedStore(db).insert({ url: 'https://news.example.com/rss', ...resolveFeedSettings(settings, { everyMinutes: 5, maxPerPoll: 10 }) }, T0);
    const { parsed, reads } = countingSummaries(parseFeed(rss([1, 2, 3].map((n) => item(n)))));
    // backfill 0: a first poll only marks the stories seen, so nothing needs a summary but a filter.
    const result = await ingestItems(feed, parsed, feed.url, { items, now: () => T0, slicer: quietSlicer, stopping: () => false, commit: async (write) => db.transaction(write).immediate() });
    db.close();
    return { result, reads: reads() };
  }

  it('no filter: a story only marked seen never has its summary read', async () => {
    const { result, reads } = await ingestFirstPoll({});
    expect(result.skipped).toEqual({ 'seen-on-first-poll': 3 });
    expect(reads).toBe(0);
  });

  it('an include or an exclude filter reads each new story summary', async () => {
    const include = await ingestFirstPoll({ include: ['story'] });
    expect(include.result.skipped).toEqual({ 'seen-on-first-poll': 3 });
    expect(include.reads).toBe(3);
    const exclude = await ingestFirstPoll({ exclude: ['story'] });
    expect(exclude.result.skipped).toEqual({ filtered: 3 });
    expect(exclude.reads).toBe(3);
  });
});
