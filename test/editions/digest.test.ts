import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOutboxChannel } from '../../src/channel/outbox.js';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import type { Article } from '../../src/articles/article.js';
import { createDigests, digestPostText, digestText, digestUrl, isDigestArticle, pickStories } from '../../src/editions/digest.js';
import { startDigestSchedule } from '../../src/editions/digest-schedule.js';
import { routeArticle } from '../../src/editions/routing.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createChannelsStore } from '../../src/store/channels-store.js';
import { createDigestStore } from '../../src/store/digest-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { channelSpec } from '../helpers/channel-spec.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const ZONE = 'Asia/Kuala_Lumpur'; // +08, so 08:00 local is 00:00Z
const DEC1 = Date.UTC(2026, 11, 1);
const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour - 8, minute);
const SPORT = '120363000000000777@newsletter';

/** Bot (or CLI) over one database file: registry, routing queue, digests, all real. */
function open(file: string, clock = createFakeClock(DEC1)) {
  const db = openDatabase(file);
  const { log, entries } = createMemoryLogger();
  const channels = createChannelsStore(db, { name: 'main', target: '120363000000000001@newsletter', minGapMs: 0, maxPerHour: 0, quietHours: null });
  const queue = createArticleQueue(db, { defaultChannel: 'main', route: (article, explicit) => routeArticle(article, channels.list(), explicit) });
  const store = createDigestStore(db);
  const queued: number[] = [];
  const digests = createDigests({
    channels: () => channels.list(),
    digestSince: (name) => channels.stored(name)?.digestSince ?? null,
    store,
    queue,
    timezone: ZONE,
    breakingLabel: '🔴 BREAKING',
    clock,
    log,
    onQueued: (r) => queued.push(r.articleId!),
  });
  const story = (n: number, when: number, extra: Record<string, unknown> = {}, channelsNamed?: string[]) =>
    queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, ...extra }, when, channelsNamed ? { channels: channelsNamed } : {}).article;
  const digestRows = () => db.prepare('SELECT channel, slot, article_id AS articleId, stories FROM digests ORDER BY slot').all();
  return { db, channels, queue, store, digests, clock, entries, queued, story, digestRows };
}

function setup(digest: string) {
  const file = path.join(tempDir(), 'newsdesk.db');
  const t = open(file);
  const [times, top = '5', mode = 'besides'] = digest.split(' ');
  t.channels.add({ name: 'sport', target: SPORT, categories: ['Sport'] }, DEC1, 'cli');
  t.channels.update('sport', { digest: { times: times!.split(','), top: Number(top), mode: mode as 'besides' | 'instead' } }, DEC1, 'cli');
  return { ...t, file };
}

describe('digests', () => {
  it('at a slot, queues one message for that channel only: headline and link per story, breaking first, then newest', () => {
    const t = setup('08:00,18:00 3');
    t.story(1, at(2, 9), { category: 'Sport' });
    t.story(2, at(2, 10), { category: 'Sport' });
    t.story(3, at(2, 11), { category: 'Sport', priority: 'breaking', headline: 'Goal *ruled* out' });
    t.story(4, at(2, 12), { category: 'Sport' });
    t.story(5, at(2, 13), { category: 'Nation' }); // not routed to sport
    t.story(6, at(2, 19), { category: 'Sport' }); // after the slot: the next digest's

    // The 08:00 slot: nothing since the 18:00 before it.
    expect(t.digests.runDue(at(2, 17, 59))).toMatchObject([{ slot: at(2, 8), articleId: null, stories: 0 }]);
    const [record] = t.digests.runDue(at(2, 18, 0));
    expect(record).toMatchObject({ channel: 'sport', slot: at(2, 18), stories: 3 });
    const digest = t.queue.get(record!.articleId!)!;
    expect(isDigestArticle(digest)).toBe(true);
    expect(digestPostText(digest)).toBe(
      '🗞️ *Top stories · 18:00*\n\n1. 🔴 BREAKING Goal ∗ruled∗ out\nhttps://news.example.com/3\n\n2. Story 4\nhttps://news.example.com/4\n\n3. Story 2\nhttps://news.example.com/2',
    );
    expect(t.queue.channelsOf(digest.id).map((c) => c.channel)).toEqual(['sport']);
    // Posted (and previewed) as the list it holds, even where the channel has a template.
    const editions = createEditions({ store: createEditionsStore(t.db), format: { summaryMaxChars: 50, breakingLabel: '🔴' }, timezone: ZONE, channels: ['main', 'sport'] });
    editions.store.setTemplate('sport', null, '⚽ {{headline}} {{link}}', DEC1, 'cli');
    expect(editions.render(digest, 'sport', at(2, 18), null)).toBe(digestPostText(digest));
    expect(editions.render(t.queue.get(1)!, 'sport', at(2, 18), null)).toBe('⚽ Story 1 https://news.example.com/1');
    expect(t.queued).toEqual([digest.id]);
    // The next slot lists what came after this one.
    t.digests.runDue(at(3, 8));
    const next = t.queue.get(t.store.last('sport')!.articleId!)!;
    expect(digestPostText(next)).toBe('🗞️ *Top stories · 08:00*\n\n1. Story 6\nhttps://news.example.com/6');
  });

  it('an empty period posts nothing and the slot is done', () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Nation' });
    const [record] = t.digests.runDue(at(3, 8, 1));
    expect(record).toMatchObject({ articleId: null, stories: 0 });
    expect(t.queue.get(2)).toBeUndefined();
    expect(t.queued).toEqual([]);
    expect(t.digests.runDue(at(3, 9))).toEqual([]);
  });

  it('exactly once per slot across a restart, and one digest (not one per slot) after downtime', () => {
    const t = setup('08:00,18:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    t.digests.runDue(at(2, 18, 0));
    t.db.close();

    // The bot comes back (a new connection, new stores): the 18:00 slot is done.
    const again = open(t.file);
    expect(again.digests.runDue(at(2, 18, 30))).toEqual([]);
    // Down from 18:30 to the next evening: 08:00 and 18:00 were missed; one digest covers the whole gap.
    again.story(2, at(2, 20), { category: 'Sport' });
    again.story(3, at(3, 12), { category: 'Sport' });
    const done = again.digests.runDue(at(3, 18, 5));
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ slot: at(3, 18), stories: 2, since: at(2, 18) });
    expect(again.digests.runDue(at(3, 18, 6))).toEqual([]);
    expect(again.digestRows()).toEqual([
      { channel: 'sport', slot: at(2, 18), articleId: 2, stories: 1 },
      { channel: 'sport', slot: at(3, 18), articleId: 5, stories: 2 },
    ]);
    expect(again.db.prepare(`SELECT count(*) FROM articles WHERE source = 'digest:sport'`).pluck().get()).toBe(2);
  });

  it('a slot is done with its digest article or not at all: a failed queue write leaves the slot open for the next tick', () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    t.db.exec(`CREATE TRIGGER no_digests BEFORE INSERT ON articles WHEN NEW.source LIKE 'digest:%' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(t.digests.runDue(at(3, 8))).toEqual([]);
    expect(t.entries.filter((e) => e.level === 'error')).toEqual([
      { level: 'error', msg: 'digest failed; the next tick tries again', obj: { channel: 'sport', err: expect.objectContaining({ message: 'disk full' }) } },
    ]);
    expect(t.digestRows()).toEqual([]);
    t.db.exec('DROP TRIGGER no_digests');
    expect(t.digests.runDue(at(3, 8, 1))).toHaveLength(1);
  });

  it('mode=instead lists the stories its filters take (they get no single posts); besides lists only what was routed there', () => {
    const t = setup('08:00 5 instead');
    const sportStory = t.story(1, at(2, 9), { category: 'sport' });
    expect(t.queue.channelsOf(sportStory.id).map((c) => c.channel)).toEqual(['main']); // no single post on sport
    t.story(2, at(2, 10), { category: 'Nation' });
    t.digests.runDue(at(3, 8));
    expect(digestPostText(t.queue.get(t.store.last('sport')!.articleId!)!)).toBe('🗞️ *Top stories · 08:00*\n\n1. Story 1\nhttps://news.example.com/1');

    const b = setup('08:00 5 besides');
    const routed = b.story(1, at(2, 9), { category: 'Sport' });
    expect(b.queue.channelsOf(routed.id).map((c) => c.channel)).toEqual(['main', 'sport']); // posted singly too (main takes everything)
    b.story(2, at(2, 10), { category: 'Nation' }, ['main']);
    b.story(3, at(2, 11), { category: 'Sport' }, ['main']); // named for main only: not sport's
    b.digests.runDue(at(3, 8));
    expect(digestPostText(b.queue.get(b.store.last('sport')!.articleId!)!)).toBe('🗞️ *Top stories · 08:00*\n\n1. Story 1\nhttps://news.example.com/1');
  });

  it('a digest set after today\'s slot starts at the next one, not at once', () => {
    const t = setup('08:00');
    t.story(1, at(2, 7), { category: 'Sport' });
    t.channels.update('sport', { digest: { times: ['07:00'], top: 5, mode: 'besides' } }, at(2, 12), 'cli');
    expect(t.digests.runDue(at(2, 12, 1))).toEqual([]);
    expect(t.digests.runDue(at(3, 7))).toHaveLength(1);
  });

  it('the schedule looks at start: a slot missed while the bot was down is queued at once, and wakes the posting loop', async () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    t.clock.set(at(3, 10));
    let wakes = 0;
    const { schedule } = startDigestSchedule({
      channels: t.channels, store: t.store, queue: t.queue, timezone: ZONE, breakingLabel: '🔴', clock: t.clock, log: createMemoryLogger().log,
      onQueued: () => (wakes += 1),
    });
    try {
      expect(t.digestRows()).toEqual([{ channel: 'sport', slot: at(3, 8), articleId: 2, stories: 1 }]);
      expect(wakes).toBe(1);
      expect(schedule.nextTick()).not.toBeNull();
    } finally {
      await schedule.stop();
    }
  });

  it('the schedule reads when the digest was set from the registry: a digest set after today\'s slot starts at the next one', async () => {
    const t = setup('08:00');
    t.story(1, at(2, 7), { category: 'Sport' }); // before the digest was set: not listed
    t.story(2, at(2, 13), { category: 'Sport' });
    t.channels.update('sport', { digest: { times: ['07:00'], top: 5, mode: 'besides' } }, at(2, 12), 'cli');
    t.clock.set(at(2, 12, 1));
    const { digests, schedule } = startDigestSchedule({
      channels: t.channels, store: t.store, queue: t.queue, timezone: ZONE, breakingLabel: '🔴', clock: t.clock, log: createMemoryLogger().log, onQueued: () => {},
    });
    try {
      expect(t.digestRows()).toEqual([]);
      expect(digests.runDue(at(3, 7))).toMatchObject([{ channel: 'sport', slot: at(3, 7), stories: 1, since: at(2, 12) }]);
    } finally {
      await schedule.stop();
    }
  });

  it('a tick that fails is logged and never thrown: the next tick tries again', async () => {
    const t = setup('08:00');
    const { log, entries } = createMemoryLogger();
    t.db.close();
    const { schedule } = startDigestSchedule({
      channels: t.channels, store: t.store, queue: t.queue, timezone: ZONE, breakingLabel: '🔴', clock: t.clock, log, onQueued: () => {},
    });
    try {
      expect(entries).toEqual([{ level: 'error', msg: 'digest tick failed', obj: { err: expect.objectContaining({ message: expect.stringMatching(/database connection is not open/) }) } }]);
    } finally {
      await schedule.stop();
    }
  });

  it('logs each handled slot, and a channel without a digest (or without times) is passed over without an error', () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    t.digests.runDue(at(2, 8));
    const [record] = t.digests.runDue(at(3, 8));
    expect(t.entries).toEqual([
      { level: 'info', msg: 'digest slot: no stories, nothing posted', obj: { channel: 'sport', slot: new Date(at(2, 8)).toISOString(), stories: 0, articleId: null } },
      { level: 'info', msg: 'digest queued', obj: { channel: 'sport', slot: new Date(at(3, 8)).toISOString(), stories: 1, articleId: record!.articleId } },
    ]);
    const { log, entries } = createMemoryLogger();
    const noTimes = createDigests({
      channels: () => [channelSpec('main', { isDefault: true }), channelSpec('sport', { digest: { times: [], top: 5, mode: 'besides' } })],
      digestSince: () => null, store: t.store, queue: t.queue, timezone: ZONE, breakingLabel: '🔴', clock: t.clock, log,
    });
    expect(noTimes.runDue(at(3, 9))).toEqual([]);
    expect(entries).toEqual([]);
  });

  it('without a set time, the first digest lists the period since the slot before; links go through the channel\'s link; no listener is needed', () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    const { log, entries } = createMemoryLogger();
    const digests = createDigests({
      channels: () => t.channels.list(), digestSince: () => null, store: t.store, queue: t.queue, timezone: ZONE, breakingLabel: '🔴',
      link: (url, channel) => `${url}?utm_campaign=${channel}`, clock: t.clock, log,
    });
    const [record] = digests.runDue(at(3, 8));
    expect(record).toMatchObject({ slot: at(3, 8), since: at(2, 8), stories: 1 });
    expect(digestPostText(t.queue.get(record!.articleId!)!)).toBe('🗞️ *Top stories · 08:00*\n\n1. Story 1\nhttps://news.example.com/1?utm_campaign=sport');
    expect(entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('a digest set exactly at a slot\'s time has that slot', () => {
    const t = setup('08:00');
    t.channels.update('sport', { digest: { times: ['07:00'], top: 5, mode: 'besides' } }, at(2, 7), 'cli');
    t.story(1, at(2, 7, 30), { category: 'Sport' });
    expect(t.digests.runDue(at(2, 7))).toMatchObject([{ slot: at(2, 7), stories: 0 }]);
  });

  it('in a dry run the digest is one outbox line on its channel, with the whole list as text', async () => {
    const t = setup('08:00');
    t.story(1, at(2, 9), { category: 'Sport' });
    const [record] = t.digests.runDue(at(3, 8));
    const digest = t.queue.get(record!.articleId!)!;
    const file = path.join(tempDir(), 'outbox.jsonl');
    const outbox = createOutboxChannel({ file, clock: t.clock, channelName: 'main' });
    await outbox.start();
    await outbox.send({ articleId: digest.id, text: digestPostText(digest), channel: 'sport' });
    const line = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ channel: 'sport', articleId: digest.id, text: '🗞️ *Top stories · 08:00*\n\n1. Story 1\nhttps://news.example.com/1' });
  });
});

describe('digest pieces', () => {
  const article = (n: number, over: Partial<Article> = {}): Article => ({
    id: n, headline: `Story ${n}`, summary: '', url: `https://news.example.com/${n}`, canonicalUrl: `https://news.example.com/${n}`, imageUrl: null,
    category: null, priority: 'normal', publishAt: 0, timed: false, source: 'cli', status: 'queued', attempts: 0, nextAttemptAt: 0,
    lastError: null, createdAt: 0, updatedAt: 0, postedAt: null, ...over,
  });

  it('pickStories: what was routed here, or with mode=instead what the filters take; top 5 unless set', () => {
    const seven = Array.from({ length: 7 }, (_, i) => ({ article: article(i + 1), routedHere: true }));
    expect(pickStories({ categories: null, feeds: null, digest: null }, seven).map((a) => a.id)).toEqual([1, 2, 3, 4, 5]);
    const digest = (mode: 'besides' | 'instead', top = 2) => ({ times: ['08:00'], top, mode });
    const mixed = [
      { article: article(1, { category: 'Nation' }), routedHere: false },
      { article: article(2, { category: 'Sport' }), routedHere: false },
      { article: article(3, { category: 'Nation' }), routedHere: true },
      { article: article(4, { category: 'sport' }), routedHere: false },
    ];
    expect(pickStories({ categories: ['Sport'], feeds: null, digest: digest('besides', 5) }, mixed).map((a) => a.id)).toEqual([3]);
    expect(pickStories({ categories: ['Sport'], feeds: null, digest: digest('instead', 5) }, mixed).map((a) => a.id)).toEqual([2, 3, 4]);
    expect(pickStories({ categories: ['Sport'], feeds: null, digest: digest('instead', 2) }, mixed).map((a) => a.id)).toEqual([2, 3]);
  });

  it('digestText: numbered headlines made safe, the breaking label, links as posted on the channel; stories past 4,800 characters left out', () => {
    const stories = [article(1, { headline: ' *Goal*\n ruled out ', priority: 'breaking' }), article(2)];
    expect(digestText(stories, '18:00', { breakingLabel: '🔴' })).toBe(
      '🗞️ *Top stories · 18:00*\n\n1. 🔴 ∗Goal∗ ruled out\nhttps://news.example.com/1\n\n2. Story 2\nhttps://news.example.com/2',
    );
    expect(digestText(stories.slice(1), '08:00', { breakingLabel: '🔴', link: (url) => `${url}?utm_source=whatsapp` })).toBe(
      '🗞️ *Top stories · 08:00*\n\n1. Story 2\nhttps://news.example.com/2?utm_source=whatsapp',
    );
    expect(digestText([], '08:00', { breakingLabel: '🔴' })).toBe('🗞️ *Top stories · 08:00*');

    const title = '🗞️ *Top stories · 08:00*';
    const entry = (n: number, url: string) => `\n\n${n}. Story ${n}\n${url}`;
    // A first story whose entry makes the text exactly 4,800 characters is listed; one character more, and it is not.
    const url = (length: number) => `https://e.com/${'u'.repeat(length - 14)}`;
    const exact = url(4_800 - title.length - entry(1, '').length);
    expect(digestText([article(1, { url: exact })], '08:00', { breakingLabel: '🔴' })).toHaveLength(4_800);
    expect(digestText([article(1, { url: `${exact}u` }), article(2)], '08:00', { breakingLabel: '🔴' })).toBe(title);
  });

  it('digestUrl: one link per channel and slot, never a real site', () => {
    expect(digestUrl('sport news', Date.UTC(2026, 11, 2, 10))).toBe('https://newsdesk.invalid/digest/sport%20news/2026-12-02T10:00:00.000Z');
  });

  it('isDigestArticle: by the digest: source prefix only', () => {
    expect([isDigestArticle({ source: 'digest:sport' }), isDigestArticle({ source: 'cli' }), isDigestArticle({ source: 'feed:digest:1' })]).toEqual([true, false, false]);
  });
});
