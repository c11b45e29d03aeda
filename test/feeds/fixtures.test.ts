import fs from 'node:fs';
import { parseFeed as feedsmithParse } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/feeds/fetch/decode-body.js';
import { parseFeed } from '../../src/feeds/parse/parse-feed.js';
import { FIXTURES, fixture } from './support/feed-server.js';
import { feedSetup } from './support/feed-setup.js';

const ALL = { backfill: 1_000, maxPerPoll: 1_000 };

/** What one fixture item must become: the article's headline, summary start, link and image. */
interface Expected {
  headline: string;
  summary: RegExp;
  url: string;
  imageUrl: string | null;
}

const CASES: { file: string; type: string; items: number; queued: number; expect: Expected[] }[] = [
  {
    file: 'guardian.rss',
    type: 'application/rss+xml; charset=utf-8',
    items: 55,
    queued: 55,
    expect: [
      {
        headline: 'Trump State of the Union address promised unity but emphasized discord',
        summary: /^The president’s ‘new American moment’ speech stirred Republican applause while Democrats showed thinly disguised contempt Donald Trump/,
        url: 'https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord',
        // media:content comes in 140 and 460 px; the larger one is taken.
        imageUrl:
          'https://i.guim.co.uk/img/media/b73c8752cd4667c923dff7f1542f1fb20089e421/0_108_3000_1799/master/3000.jpg?w=460&q=55&auto=format&usm=12&fit=max&s=a606a273a90104e57b1e09bc4c0a1e11',
      },
    ],
  },
  {
    file: 'content-encoded.rss',
    type: 'application/rss+xml',
    items: 7,
    queued: 7,
    expect: [
      {
        headline: 'THE CREATIVE FORAGER',
        // No description: the summary comes from content:encoded, tags removed.
        summary: /^Using Wild Ingredients in the Kitchen HEY, YOU! YES, YOU WITH THE EYEBALLS!/,
        url: 'https://medium.com/invironment/the-creative-forager-125af37d838f?source=rss----d12c403d4976--food',
        imageUrl: 'https://cdn-images-1.medium.com/max/938/1*C_nVpehD-NKBgtVEULabmQ.jpeg', // first <img> in the content
      },
    ],
  },
  {
    file: 'craigslist.rss',
    type: 'application/rdf+xml',
    items: 25,
    queued: 25,
    expect: [
      {
        // CDATA title with an entity and markup: decoded and stripped.
        headline: 'Bright, Spacious Beautiful Victorian (oakland north / temescal) $4300 3bd 1930ft2',
        summary: /^Updated 3\+ Bedroom, 2\.5 Bath, Victorian home\. Beautiful original oak hardwoods/,
        url: 'http://sfbay.craigslist.org/eby/apa/6186664607.html',
        imageUrl: 'https://images.craigslist.org/00l0l_fbVZikCjEKO_300x300.jpg', // RSS 1.0 enc:enclosure
      },
    ],
  },
  {
    file: 'rss-1.rss',
    type: 'application/rdf+xml',
    items: 69,
    queued: 69,
    expect: [
      { headline: 'Food for fungi', summary: /^$/, url: 'http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1', imageUrl: null },
      {
        headline: 'Creating a weakness in prostate cancer',
        summary: /^$/,
        url: 'http://science.sciencemag.org/cgi/content/short/356/6340/816-o?rss=1',
        imageUrl: null,
      },
    ],
  },
  {
    file: 'heise.atom',
    type: 'application/atom+xml',
    items: 15,
    queued: 15,
    expect: [
      {
        headline: 'Java-Anwendungsserver: Red Hat gibt WildFly 10 frei',
        summary: /^Die nun verfügbare Version 10 des Enterprise-Java-Servers stellt die Basis für Red Hats kommerzielle JBoss/,
        url: 'http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html?wt_mc=rss.developer.beitrag.atom',
        imageUrl: 'http://www.heise.de/scale/geometry/264/q80/imgs/18/1/7/3/9/9/2/1/wildfly-2bf4ffd2935e38b6-90200def80b152e9-5ba35d3770232d92.jpeg',
      },
    ],
  },
  {
    file: 'feedburner.atom',
    type: 'application/atom+xml',
    items: 25,
    queued: 25,
    expect: [
      {
        headline: 'AdWords and DFP Java client library will soon require Java 7+',
        summary: /^After November 2016, all releases of the Google Ads API Java Client Library will only be compatible with Java 7 \(1\.7\) and higher\./,
        // feedburner:origLink, not the feedproxy redirector.
        url: 'http://googleadsdeveloper.blogspot.com/2016/06/adwords-and-dfp-java-client-library.html',
        imageUrl: null, // the only <img> is a 40 px author avatar
      },
      {
        headline: 'Announcing BETA release of the new Ads PHP Client Library',
        summary: /^Today we're pleased to announce that we have released an updated BETA version of the Ads PHP/,
        url: 'http://googleadsdeveloper.blogspot.com/2016/02/announcing-beta-release-of-new-ads-php.html',
        imageUrl: 'https://lh3.googleusercontent.com/-I5VHr9twxlU/AAAAAAAAAAI/AAAAAAAABoc/XKIvgIIEw7I/s72-c/photo.jpg', // media:thumbnail
      },
    ],
  },
  {
    file: 'many-links.rss',
    type: 'application/atom+xml',
    items: 25,
    queued: 25,
    expect: [
      {
        headline: 'Code Health: Providing Context with Commit Messages and Bug Reports',
        summary: /^This is another post in our Code Health series\. A version of this post originally appeared in Google bathrooms/,
        url: 'http://testing.googleblog.com/2017/09/code-health-providing-context-with.html',
        imageUrl: null, // only FeedBurner share buttons and a tracking pixel
      },
      {
        headline: 'OSS-Fuzz: Five Months Later, and Rewarding Projects',
        summary: /^By Oliver Chang, Abhishek Arya \(Security Engineers, Chrome Security\)/,
        url: 'http://testing.googleblog.com/2017/05/oss-fuzz-five-months-later-and.html',
        imageUrl: 'https://2.bp.blogspot.com/-ZSpYiLN8VOU/WRCII1KSWmI/AAAAAAAAARk/uVk7QKXqHqQmbTIhgCeaJ4Z0q8-OeVQWQCLcB/s72-c/Copy_of0.png',
      },
    ],
  },
  {
    file: 'encoding.rss',
    type: 'application/rss+xml', // no charset in the header: the XML declaration's ISO-8859-1 decides
    items: 40,
    queued: 40,
    expect: [
      {
        headline: 'Mãe de utente é a nova presidente da Raríssimas',
        summary: /^Sónia Laygue, profissional na área da Recursos Humanos e mãe de uma criança de três anos, utente na Casa dos Marcos, é a nova presidente da direção da Raríssimas\.$/,
        url: 'https://www.jn.pt/nacional/interior/sonia-laig-e-a-nova-presidente-da-rarissimas-9021600.html',
        imageUrl: null, // the description's only <img> is a 1×1 FeedBurner pixel
      },
    ],
  },
];

describe('real fixture feeds over HTTP', () => {
  for (const c of CASES) {
    it(`maps ${c.file}: headline, summary, link and image`, async () => {
      const { server, service, articles } = await feedSetup();
      const url = server.serve(`/${c.file}`, { body: fixture(c.file), contentType: c.type });
      const result = await service.add(url, { ...ALL, category: 'World' });
      expect(result.status).toBe('added');
      if (result.status !== 'added' || result.poll.status !== 'polled') throw new Error(`poll failed: ${JSON.stringify(result)}`);
      expect(result.poll.itemsInFeed).toBe(c.items);
      expect(result.poll.queued).toHaveLength(c.queued);
      const queued = articles();
      expect(queued).toHaveLength(c.queued);
      for (const want of c.expect) {
        const article = queued.find((a) => a.url === want.url);
        expect(article, `article for ${want.url}`).toBeDefined();
        expect(article!.headline).toBe(want.headline);
        expect(article!.summary).toMatch(want.summary);
        expect(article!.imageUrl).toBe(want.imageUrl);
        expect(article!).toMatchObject({ category: 'World', priority: 'normal', source: `feed:${result.feed.id}`, status: 'queued' });
      }
      for (const article of queued) {
        expect(article.headline).not.toMatch(/<|&[a-z#0-9]+;|\s{2}/i);
        // HTML tags gone (a post quoting XML code as text, in feedburner.atom, keeps its quoted angle brackets).
        expect(article.summary).not.toMatch(/<\/?(p|div|span|br|a|img|b|i|strong|em|ul|li|h\d)\b[^>]*>|&(amp|lt|gt|quot|#\d+);|\s{2}/i);
        expect(article.summary.length).toBeLessThanOrEqual(1_000);
      }
    });
  }

  it('skips and counts the items without a title or link (incomplete-fields.atom, missing-fields.atom)', async () => {
    const { server, service, articles } = await feedSetup();
    for (const file of ['incomplete-fields.atom', 'missing-fields.atom']) {
      const url = server.serve(`/${file}`, { body: fixture(file), contentType: 'application/atom+xml' });
      const result = await service.add(url, ALL);
      if (result.status !== 'added' || result.poll.status !== 'polled') throw new Error('expected a poll');
      expect(result.poll).toMatchObject({ itemsInFeed: 1, queued: [], skipped: { 'no-title': 1 } });
    }
    expect(articles()).toHaveLength(0);
  });
});

describe('the parser agrees with feedsmith on every fixture (differential check)', () => {
  const normalise = (s: unknown) => String(s ?? '').replace(/\s+/g, ' ').trim();
  for (const file of fs.readdirSync(FIXTURES).filter((f) => f !== 'README.md')) {
    it(`${file}: same items, titles and links`, () => {
      const text = decodeBody(fixture(file), null).text;
      const ours = parseFeed(text);
      const theirs = feedsmithParse(text);
      const theirItems = ('items' in theirs.feed ? theirs.feed.items : 'entries' in theirs.feed ? theirs.feed.entries : undefined) ?? [];
      expect(ours.format).toBe(theirs.format);
      // feedsmith drops entries that have no field it knows (incomplete-fields.atom's author-only entry).
      expect(ours.count - theirItems.length).toBeGreaterThanOrEqual(0);
      expect(ours.count - theirItems.length).toBeLessThanOrEqual(file === 'incomplete-fields.atom' ? 1 : 0);
      theirItems.forEach((their, i) => {
        const t = their as Record<string, unknown> & { title?: unknown; links?: { href?: string; rel?: string }[]; feedburner?: { origLink?: string } };
        const theirTitle = typeof t.title === 'object' && t.title !== null ? (t.title as { value?: string }).value : t.title;
        expect(normalise(ours.item(i).title?.text)).toBe(normalise(theirTitle));
        const theirLink = (t.link as string | undefined) ?? t.links?.find((l) => !l.rel || l.rel === 'alternate')?.href ?? null;
        const ourLink = ours.item(i).link;
        // Ours prefers FeedBurner's origLink (the publisher's URL) to the feedproxy redirect feedsmith reports.
        if (ourLink !== theirLink) expect(text).toContain(`origLink>${ourLink}<`);
      });
    });
  }
});
