import { describe, expect, it } from 'vitest';
import type { PollReport } from '../../src/feeds/poll/poll-report.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

type Polled = Extract<PollReport, { status: 'polled' }>;

function polled(report: PollReport | null | undefined): Polled {
  if (report?.status !== 'polled') throw new Error(`expected a completed poll, got ${JSON.stringify(report)}`);
  return report;
}

/** Adds a feed serving `items` (primed by its first poll) and returns its id. */
async function addPrimed(setup: Awaited<ReturnType<typeof feedSetup>>, path: string, items: string[], settings = {}) {
  const url = setup.server.serve(path, { body: rss(items) });
  const added = await setup.service.add(url, settings);
  if (added.status !== 'added') throw new Error('not added');
  return added.feed.id;
}

describe('no flood', () => {
  it('first poll with backfill 0 queues nothing and marks the current stories seen', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([1, 2, 3, 4, 5].map((n) => item(n))) });
    const added = await setup.service.add(url);
    if (added.status !== 'added') throw new Error('not added');
    expect(polled(added.poll)).toMatchObject({ itemsInFeed: 5, queued: [], skipped: { 'seen-on-first-poll': 5 } });
    expect(setup.articles()).toHaveLength(0);
    expect(setup.service.get(added.feed.id)).toMatchObject({ health: 'ok', stories: { seen: 5 } });

    setup.server.serve('/news.rss', { body: rss([6, 1, 2, 3, 4, 5].map((n) => item(n))) });
    const next = polled(await setup.service.pollNow(added.feed.id));
    expect(next.queued.map((q) => q.headline)).toEqual(['Story number 6']);
    expect(next.known).toBe(5);
    expect(setup.woken).toEqual([1]);
  });

  it('backfill queues the newest n stories, oldest of them first', async () => {
    const setup = await feedSetup();
    // Document order is not date order: dates decide which are newest.
    const url = setup.server.serve('/news.rss', { body: rss([3, 5, 1, 4, 2].map((n) => item(n))) });
    const added = await setup.service.add(url, { backfill: 2 });
    if (added.status !== 'added') throw new Error('not added');
    expect(polled(added.poll).queued.map((q) => q.headline)).toEqual(['Story number 4', 'Story number 5']);
    expect(setup.articles().map((a) => a.headline)).toEqual(['Story number 4', 'Story number 5']);
  });

  it('a poll with more new stories than the cap queues the newest up to the cap and skips the rest for good', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', [item(0)], { maxPerPoll: 10 });
    const fresh = Array.from({ length: 15 }, (_, i) => item(i + 1));
    setup.server.serve('/news.rss', { body: rss([...fresh, item(0)]) });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued).toHaveLength(10);
    expect(report.queued.map((q) => q.headline)).toEqual(Array.from({ length: 10 }, (_, i) => `Story number ${i + 6}`));
    expect(report.skipped).toEqual({ 'over-cap': 5 });
    expect(report.skippedStories.map((s) => s.headline)).toEqual(expect.arrayContaining(['Story number 1', 'Story number 5']));

    // The same stories in another order: a new body, read in full; the skipped ones stay skipped.
    setup.server.serve('/news.rss', { body: rss([item(0), ...fresh.reverse()]) });
    const again = polled(await setup.service.pollNow(id));
    expect(again.queued).toHaveLength(0);
    expect(again.known).toBe(16);
    expect(setup.articles()).toHaveLength(10);
  });
});

describe('conditional requests', () => {
  it('sends the stored ETag and Last-Modified; a 304 queues nothing and counts as a success', async () => {
    const setup = await feedSetup();
    const lastModified = 'Wed, 26 Nov 2026 11:00:00 GMT';
    const url = setup.server.serve('/news.rss', { body: rss([item(1)]), etag: '"v1"', lastModified });
    const added = await setup.service.add(url, { backfill: 5 });
    if (added.status !== 'added') throw new Error('not added');
    expect(polled(added.poll).queued).toHaveLength(1);

    setup.clock.advance(60_000);
    const report = await setup.service.pollNow(added.feed.id);
    expect(report).toEqual({ status: 'not-modified', feedId: added.feed.id, url });
    const [first, second] = setup.server.hits('/news.rss');
    expect(first!.headers['if-none-match']).toBeUndefined();
    expect(second!.headers).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': lastModified, 'user-agent': 'Newsdesk/0.1 (+feed poller)' });
    expect(setup.articles()).toHaveLength(1);
    expect(setup.service.get(added.feed.id)).toMatchObject({ lastSuccessAt: setup.clock.now(), consecutiveFailures: 0 });
  });
});

describe('unchanged bodies', () => {
  it('a body unchanged since the last full read is not read again (one state write, its new ETag kept); a changed byte or content type is', async () => {
    const setup = await feedSetup();
    const body = rss([1, 2, 3].map((n) => item(n)));
    const url = setup.server.serve('/news.rss', { body });
    const added = await setup.service.add(url);
    if (added.status !== 'added') throw new Error('not added');
    const id = added.feed.id;

    setup.clock.advance(60_000);
    expect(await setup.service.pollNow(id)).toEqual({ status: 'not-modified', feedId: id, url });
    expect(setup.service.get(id)).toMatchObject({ lastSuccessAt: setup.clock.now(), consecutiveFailures: 0, stories: { seen: 3 } });

    // The same bytes under a new ETag: still unchanged, and the ETag is sent from now on.
    setup.server.serve('/news.rss', { body, etag: '"v2"' });
    expect((await setup.service.pollNow(id))?.status).toBe('not-modified');
    setup.server.serve('/news.rss', { body: rss([4, 1, 2, 3].map((n) => item(n))) });
    const changed = polled(await setup.service.pollNow(id));
    expect(setup.server.hits('/news.rss').at(-1)!.headers['if-none-match']).toBe('"v2"');
    expect(changed.queued.map((q) => q.headline)).toEqual(['Story number 4']);
    expect(changed.known).toBe(3);

    // The same bytes declared in another character set may read as other stories: read in full.
    setup.server.serve('/news.rss', { body: rss([4, 1, 2, 3].map((n) => item(n))), contentType: 'application/rss+xml; charset=iso-8859-1' });
    expect(polled(await setup.service.pollNow(id))).toMatchObject({ known: 4, queued: [] });
    expect(setup.articles()).toHaveLength(1);
  });
});

describe('dedupe', () => {
  it('queues a story listed twice in one feed once (the second copy with tracking parameters)', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', []);
    setup.server.serve('/news.rss', {
      body: rss([item(1), item(1, { guid: 'other-guid', link: 'https://news.example.com/2026/story-1?utm_source=rss&utm_medium=feed' })]),
    });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued).toHaveLength(1);
    expect(report.skipped).toEqual({ duplicate: 1 });
    expect(report.skippedStories[0]).toMatchObject({ reason: 'duplicate', detail: 'listed twice in this feed' });
  });

  it('queues a story carried by two feeds once, whatever tracking parameters each adds', async () => {
    const setup = await feedSetup();
    const a = await addPrimed(setup, '/a.rss', []);
    const b = await addPrimed(setup, '/b.rss', []);
    setup.server.serve('/a.rss', { body: rss([item(7, { link: 'https://news.example.com/2026/story-7?utm_campaign=a', guid: 'a-7' })]) });
    setup.server.serve('/b.rss', { body: rss([item(7, { link: 'https://NEWS.example.com/2026/story-7/?fbclid=xyz#comments', guid: 'b-7' })]) });
    expect(polled(await setup.service.pollNow(a)).queued).toHaveLength(1);
    const fromB = polled(await setup.service.pollNow(b));
    expect(fromB.queued).toHaveLength(0);
    expect(fromB.skippedStories[0]).toMatchObject({ reason: 'duplicate', detail: `already article ${setup.articles()[0]!.id}` });
    expect(setup.articles()).toHaveLength(1);
    // Recorded on feed b as a duplicate (its `feed list` counts), on a as queued.
    const counts = Object.fromEntries(setup.service.list().map((f) => [f.id, f.stories]));
    expect(counts[b]).toEqual({ duplicate: 1 });
    expect(counts[a]).toEqual({ queued: 1 });
  });

  it('queues a story carried by two feeds once when each tags the link with its own parameter', async () => {
    const setup = await feedSetup();
    const a = await addPrimed(setup, '/world.rss', []);
    const b = await addPrimed(setup, '/top.rss', []);
    setup.server.serve('/world.rss', { body: rss([item(7, { link: 'https://news.example.com/2026/story-7?feedName=world', guid: '101' })]) });
    setup.server.serve('/top.rss', { body: rss([item(7, { link: 'https://news.example.com/2026/story-7?feedName=top', guid: 'x-101' })]) });
    expect(polled(await setup.service.pollNow(a)).queued).toHaveLength(1);
    expect(polled(await setup.service.pollNow(b)).queued).toHaveLength(0);
    expect(setup.articles()).toHaveLength(1);
  });

  it('does not queue a story re-published with a new GUID, or under another URL of the same site', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', []);
    setup.server.serve('/news.rss', { body: rss([item(1, { guid: 'first-guid' })]) });
    expect(polled(await setup.service.pollNow(id)).queued).toHaveLength(1);

    setup.server.serve('/news.rss', { body: rss([item(1, { guid: 'second-guid' })]) });
    expect(polled(await setup.service.pollNow(id)).queued).toHaveLength(0);

    // Same headline and path, a query the canonical URL keeps, www. and another GUID: the content hash matches.
    setup.server.serve('/news.rss', { body: rss([item(1, { guid: 'third-guid', link: 'http://www.news.example.com/2026/story-1?ref=homepage' })]) });
    const third = polled(await setup.service.pollNow(id));
    expect(third.queued).toHaveLength(0);
    expect(third.known).toBe(1);
    expect(setup.articles()).toHaveLength(1);
  });

  it('does not queue a story an admin already queued (or cancelled) through another door', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', []);
    const admin = setup.queue.enqueue({ headline: 'Typed by hand', url: 'https://news.example.com/2026/story-1', source: 'admin:1' }, setup.clock.now());
    const cancelled = setup.queue.enqueue({ headline: 'Cancelled', url: 'https://news.example.com/2026/story-2', source: 'cli' }, setup.clock.now());
    setup.queue.cancel(cancelled.article.id, setup.clock.now());
    setup.server.serve('/news.rss', { body: rss([item(1), item(2), item(3)]) });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued.map((q) => q.headline)).toEqual(['Story number 3']);
    expect(report.skippedStories.map((s) => s.detail).sort()).toEqual([
      `already article ${admin.article.id} (queued)`,
      `already article ${cancelled.article.id} (cancelled)`,
    ]);
    expect(setup.queue.get(cancelled.article.id)?.status).toBe('cancelled');
  });

  it('recognises across doors a story under another URL of the same site, in both directions', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', []);
    // The API queued it first; the feed carries it at www. with a referral parameter and its own GUID.
    const api = setup.queue.enqueue({ headline: 'Minister resigns', url: 'https://news.example.com/politics/minister-resigns', source: 'api' }, setup.clock.now());
    setup.server.serve('/news.rss', {
      body: rss([
        item(1, { title: 'Minister resigns', link: 'https://www.news.example.com/politics/minister-resigns?ref=rss', guid: 'cms-88' }),
        item(2, { title: 'Budget passes', link: 'https://news.example.com/politics/budget' }),
      ]),
    });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued.map((q) => q.headline)).toEqual(['Budget passes']);
    expect(report.skippedStories).toEqual([expect.objectContaining({ reason: 'duplicate', detail: `already article ${api.article.id} (queued)` })]);

    // And the other way: the feed queued it first; the CMS pushes it at www.
    const again = setup.queue.enqueue({ headline: 'Budget passes', url: 'https://www.news.example.com/politics/budget', source: 'api' }, setup.clock.now());
    expect(again.outcome).toBe('existing');
    expect(setup.articles()).toHaveLength(2);
  });

  it('queues two stories with one headline at one path told apart by their query string', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', []);
    setup.server.serve('/news.rss', {
      body: rss([
        item(1, { title: 'Weather forecast', link: 'https://news.example.com/article.php?id=100' }),
        item(2, { title: 'Weather forecast', link: 'https://news.example.com/article.php?id=101' }),
      ]),
    });
    expect(polled(await setup.service.pollNow(id)).queued).toHaveLength(2);
  });

  it('keeps GUIDs like "1" apart between feeds (they are only unique within a feed)', async () => {
    const setup = await feedSetup();
    const a = await addPrimed(setup, '/a.rss', []);
    const b = await addPrimed(setup, '/b.rss', []);
    setup.server.serve('/a.rss', { body: rss([item(1, { guid: '1', link: 'https://a.example.com/one' })]) });
    setup.server.serve('/b.rss', { body: rss([item(2, { guid: '1', link: 'https://b.example.com/two' })]) });
    expect(polled(await setup.service.pollNow(a)).queued).toHaveLength(1);
    expect(polled(await setup.service.pollNow(b)).queued).toHaveLength(1);
  });
});

describe('keyword filters', () => {
  it('queues only stories with an include word and none of the exclude words, as whole words in any case', async () => {
    const setup = await feedSetup();
    const id = await addPrimed(setup, '/news.rss', [], { include: ['Rail', 'tram line'], exclude: ['opinion'] });
    setup.server.serve('/news.rss', {
      body: rss([
        item(1, { title: 'RAIL strike called for Friday' }),
        item(2, { title: 'Council backs new tram  line' }),
        item(3, { title: 'Opinion: the rail strike is wrong' }),
        item(4, { title: 'Guardrail repairs on the bypass' }),
        item(5, { title: 'Weather', description: 'Snow may disrupt rail services.' }),
      ]),
    });
    const report = polled(await setup.service.pollNow(id));
    expect(report.queued.map((q) => q.headline).sort()).toEqual(['Council backs new tram line', 'RAIL strike called for Friday', 'Weather']);
    expect(report.skipped).toEqual({ filtered: 2 });
    expect(report.skippedStories.map((s) => s.detail).sort()).toEqual([
      'contains excluded word "opinion"',
      'contains none of the words "rail", "tram line"',
    ]);
  });
});

describe('links, images and character sets', () => {
  it('resolves relative links and images against the feed URL, and Atom ones against xml:base', async () => {
    const setup = await feedSetup();
    const rssUrl = setup.server.serve('/section/news.rss', {
      body: rss([
        item(1, { link: '/2026/relative-story', description: '&lt;p&gt;Text &lt;img src="../img/photo.jpg" width="640"&gt;&lt;/p&gt;' }),
        item(2, { link: 'local-story' }),
        item(3, { link: 'javascript:alert(1)' }),
      ]),
    });
    const added = await setup.service.add(rssUrl, { backfill: 10 });
    if (added.status !== 'added') throw new Error('not added');
    const report = polled(added.poll);
    expect(report.skipped).toEqual({ 'no-link': 1 });
    const byHeadline = new Map(setup.articles().map((a) => [a.headline, a]));
    expect(byHeadline.get('Story number 1')).toMatchObject({ url: `${setup.server.base}/2026/relative-story`, imageUrl: `${setup.server.base}/img/photo.jpg`, summary: 'Text' });
    expect(byHeadline.get('Story number 2')?.url).toBe(`${setup.server.base}/section/local-story`);

    const atom = `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/en/">
      <title>Blog</title><entry xml:base="posts/"><title type="html">Caf&amp;eacute; &amp;amp; bar</title><id>tag:blog.example.org,2026:1</id>
      <link rel="alternate" type="text/html" href="cafe.html"/><link rel="enclosure" type="image/png" href="/media/cafe.png"/>
      <updated>2026-11-26T10:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Open <b>late</b> today.</p></div></content></entry></feed>`;
    const atomUrl = setup.server.serve('/blog.atom', { body: atom, contentType: 'application/atom+xml' });
    await setup.service.add(atomUrl, { backfill: 10 });
    expect(setup.articles().find((a) => a.headline === 'Café & bar')).toMatchObject({
      url: 'https://blog.example.org/en/posts/cafe.html',
      imageUrl: 'https://blog.example.org/media/cafe.png',
      summary: 'Open late today.',
    });
  });

  it('decodes windows-1252 named in the Content-Type header (curly quotes in 0x80–0x9F)', async () => {
    const setup = await feedSetup();
    const xml = rss([item(1, { title: '\u201cQuoted\u201d \u2013 na\u00efve caf\u00e9 \u20ac5' })]).replace('encoding="UTF-8"', 'encoding="windows-1252"');
    const { default: iconv } = await import('iconv-lite');
    const url = setup.server.serve('/latin.rss', { body: iconv.encode(xml, 'windows-1252'), contentType: 'text/xml; charset=ISO-8859-1' });
    await setup.service.add(url, { backfill: 1 });
    expect(setup.articles()[0]?.headline).toBe('\u201cQuoted\u201d \u2013 na\u00efve caf\u00e9 \u20ac5');
  });

  it('reads JSON Feed 1.1', async () => {
    const setup = await feedSetup();
    const doc = {
      version: 'https://jsonfeed.org/version/1.1',
      title: 'JSON news',
      items: [
        { id: 'j1', url: '/j/one', title: 'First JSON story', content_html: '<p>Hello &amp; welcome</p><img src="/j/one.jpg">', date_published: '2026-11-26T09:00:00Z' },
        { id: 'j2', url: 'https://json.example.com/two', title: 'Second', summary: 'Plain summary', image: 'https://json.example.com/two.png' },
        { id: 'j3', content_text: 'A status update without a title' },
      ],
    };
    const url = setup.server.serve('/feed.json', { body: JSON.stringify(doc), contentType: 'application/feed+json' });
    const added = await setup.service.add(url, { backfill: 10 });
    if (added.status !== 'added') throw new Error('not added');
    expect(polled(added.poll).skipped).toEqual({ 'no-title': 1 });
    const byHeadline = new Map(setup.articles().map((a) => [a.headline, a]));
    expect(byHeadline.get('First JSON story')).toMatchObject({ url: `${setup.server.base}/j/one`, summary: 'Hello & welcome', imageUrl: `${setup.server.base}/j/one.jpg` });
    expect(byHeadline.get('Second')).toMatchObject({ summary: 'Plain summary', imageUrl: 'https://json.example.com/two.png' });
  });
});
