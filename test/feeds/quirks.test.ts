import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/feeds/map/html-text.js';
import { mapItem, type MappedItem } from '../../src/feeds/map/map-item.js';
import { parseFeed } from '../../src/feeds/parse/parse-feed.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';
import { startFeedServer } from './support/feed-server.js';
import { feedSetup } from './support/feed-setup.js';

/** Every item of a feed document, mapped as it would be queued (throws on an unusable item). */
function stories(text: string, url = 'https://news.example.com/feed'): MappedItem[] {
  const feed = parseFeed(text, url);
  return Array.from({ length: feed.count }, (_, i) => {
    const mapped = mapItem(feed.item(i), i, 1, url);
    if (!mapped.ok) throw new Error(`item ${i}: ${mapped.reason}`);
    return mapped.item;
  });
}

const rssOf = (items: string, head = '<?xml version="1.0" encoding="UTF-8"?>') =>
  `${head}<rss version="2.0"><channel><title>Desk</title><link>https://news.example.com/</link>${items}</channel></rss>`;
const rssItem = (title: string, n = 1, extra = '') => `<item><title>${title}</title><link>https://news.example.com/${n}</link>${extra}</item>`;

describe('1. content before the root element', () => {
  it.each([
    ['a PHP warning', '<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/feed.php</b> on line <b>12</b><br />\n'],
    ['an unclosed <br> and <b>', '<br>\n<b>Notice</b>: session_start(): headers already sent\n'],
    ['an injected <script>', '<script type="text/javascript">var a = 1 < 2; document.write("<p>")</script>'],
  ])('reads the feed after %s', (_label, junk) => {
    const text = `${junk}<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desk</title>${rssItem('Budget passes')}</channel></rss>`;
    expect(stories(text).map((s) => s.headline)).toEqual(['Budget passes']);
    expect(parseFeed(text).title).toBe('Desk');
  });
});

describe('2. character sets, as browsers choose them, recorded on the feed', () => {
  const title = 'Café déjà vu: crème brûlée à la française, naïve façade';
  const latin = (decl: string) => iconv.encode(rssOf(`${rssItem(title)}${rssItem(`${title} (2)`, 2)}`, `<?xml version="1.0"${decl}?>`), 'latin1');
  const japanese = '東京の天気は晴れ、明日は雨が降るでしょう。政府は新しい経済対策を発表しました。';
  const russian = 'Правительство объявило о новых мерах поддержки экономики. Москва, новости дня.';
  const cases: { name: string; body: Buffer; type: string; headline: string; charset: string; reason: RegExp }[] = [
    { name: 'ISO-8859-1 declaring nothing', body: latin(''), type: 'application/rss+xml', headline: title, charset: 'windows-1252', reason: /^detected from the bytes \(none declared\)$/ },
    { name: 'ISO-8859-1 under a header that says UTF-8', body: latin(''), type: 'text/xml; charset=utf-8', headline: title, charset: 'windows-1252', reason: /HTTP header says utf-8, which the bytes are not/ },
    { name: 'UTF-8 under a header and declaration that say ISO-8859-1', body: Buffer.from(rssOf(rssItem(title), '<?xml version="1.0" encoding="ISO-8859-1"?>')), type: 'text/xml; charset=ISO-8859-1', headline: title, charset: 'utf-8', reason: /^the bytes are valid UTF-8 \(HTTP header says ISO-8859-1, XML declaration says ISO-8859-1, which the bytes are not\)$/ },
    { name: 'ISO-8859-1 declared in the XML declaration', body: latin(' encoding="ISO-8859-1"'), type: 'application/rss+xml', headline: title, charset: 'windows-1252', reason: /^XML declaration$/ },
    { name: 'EUC-JP declaring nothing', body: iconv.encode(rssOf(`${rssItem(japanese)}${rssItem(japanese.slice(3), 2)}`), 'euc-jp'), type: 'application/rss+xml', headline: japanese, charset: 'euc-jp', reason: /^detected/ },
    { name: 'Shift_JIS declaring nothing', body: iconv.encode(rssOf(`${rssItem(japanese)}${rssItem(japanese.slice(3), 2)}`), 'shift_jis'), type: 'application/rss+xml', headline: japanese, charset: 'shift_jis', reason: /^detected/ },
    { name: 'KOI8-R declaring nothing', body: iconv.encode(rssOf(`${rssItem(russian)}${rssItem(russian.slice(5), 2)}`), 'koi8-r'), type: 'application/rss+xml', headline: russian, charset: 'koi8-r', reason: /^detected/ },
    { name: 'UTF-16 without a byte-order mark', body: iconv.encode(rssOf(rssItem(title), '<?xml version="1.0" encoding="UTF-16"?>'), 'utf-16le'), type: 'application/xml', headline: title, charset: 'utf-16le', reason: /UTF-16 without a byte-order mark/ },
    { name: 'UTF-16BE without a byte-order mark', body: iconv.encode(rssOf(rssItem(title), '<?xml version="1.0" encoding="UTF-16"?>'), 'utf-16be'), type: 'application/xml', headline: title, charset: 'utf-16be', reason: /UTF-16 without a byte-order mark/ },
    { name: 'one stray NUL byte', body: Buffer.from(rssOf(rssItem(`Caf\u0000é opens`))), type: 'application/rss+xml', headline: 'Café opens', charset: 'utf-8', reason: /^XML declaration$/ },
  ];

  it.each(cases)('reads $name', async (c) => {
    const setup = await feedSetup();
    const url = setup.server.serve('/feed.rss', { body: c.body, contentType: c.type });
    const added = await setup.service.add(url, { backfill: 5 });
    if (added.status !== 'added') throw new Error(JSON.stringify(added));
    expect(setup.articles().map((a) => a.headline)).toContain(c.headline);
    expect(setup.articles().map((a) => a.headline).join(' ')).not.toMatch(/Ã|�/);
    expect(setup.service.get(added.feed.id)).toMatchObject({ charset: c.charset, charsetReason: expect.stringMatching(c.reason) });
  });
});

describe('3. HTML to text on a real tokenizer', () => {
  it('reads double-escaped HTML once more, and no further', () => {
    const [story] = stories(rssOf(rssItem('Hello', 1, '<description>&amp;lt;p&amp;gt;Hello &amp;amp;amp; bye&amp;lt;/p&amp;gt; and goodbye</description>')));
    expect(story!.summary).toBe('Hello & bye and goodbye');
  });

  it('drops <!DOCTYPE>, <?xml?> and comments from headlines', () => {
    const titles = ['&lt;!DOCTYPE html&gt;Markets rally', '&lt;?xml version="1.0"?&gt;Markets fall', '<![CDATA[<!-- teaser -->Markets close]]>'];
    expect(stories(rssOf(titles.map((t, i) => rssItem(t, i)).join(''))).map((s) => s.headline)).toEqual(['Markets rally', 'Markets fall', 'Markets close']);
  });

  it('turns block elements and breaks into spaces, never gluing words', () => {
    expect(htmlToText('Line one<br/>line two<p>Para</p><div>Block</div><li>item</li>cell<td>next</td>')).toBe('Line one line two Para Block item cell next');
    const [story] = stories(rssOf(rssItem('Two lines', 1, '<description>Line one&lt;br/&gt;line two</description>')));
    expect(story!.summary).toBe('Line one line two');
  });

  it('keeps script source out of Atom xhtml content, and decodes entities exactly once', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>Scripted</title><link href="https://news.example.com/a"/>
      <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Visible &amp;amp; kept</p><script>alert("leak")</script><style>p{}</style></div></content></entry></feed>`;
    expect(stories(atom)[0]!.summary).toBe('Visible &amp; kept');
  });

  it('takes an <img> written raw (unescaped) in a description as the image', () => {
    const [story] = stories(rssOf(rssItem('Pictured', 1, '<description>Our reporter <img src="/photos/scene.jpg" width="640"/> on the scene.</description>')));
    expect(story).toMatchObject({ summary: 'Our reporter on the scene.', imageUrl: 'https://news.example.com/photos/scene.jpg' });
  });
});

describe('4. titles', () => {
  it('decodes entities in Atom type="text" titles and in feed titles', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Caf&eacute; Society</title><entry><title type="text">Caf&eacute; opens &amp; closes</title><link href="https://news.example.com/c"/></entry></feed>`;
    expect(parseFeed(atom).title).toBe('Café Society');
    expect(stories(atom)[0]!.headline).toBe('Café opens & closes');
    expect(parseFeed(rssOf('').replace('<title>Desk</title>', '<title>Caf&eacute; Desk</title>')).title).toBe('Café Desk');
  });

  it('keeps what is not markup in RSS titles: vector<int>, x<y and y>z, a lone <', () => {
    const items = [rssItem('Why vector&lt;int&gt; is fast', 1), rssItem('When x&lt;y and y&gt;z', 2), rssItem('Prices a <b and c', 3), rssItem('A <b>bold</b> move', 4)];
    expect(stories(rssOf(items.join(''))).map((s) => [s.headline, s.url])).toEqual([
      ['Why vector<int> is fast', 'https://news.example.com/1'],
      ['When x<y and y>z', 'https://news.example.com/2'],
      ['Prices a <b and c', 'https://news.example.com/3'],
      ['A bold move', 'https://news.example.com/4'],
    ]);
  });
});

describe('5. fallbacks', () => {
  it('takes media:title and media:description from a media:group (YouTube), and itunes:summary', () => {
    const youtube = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>Channel</title>
      <entry><title>Launch day</title><link rel="alternate" href="https://www.youtube.com/watch?v=abc"/>
      <media:group><media:title>Launch day</media:title><media:thumbnail url="https://i.ytimg.com/vi/abc/hqdefault.jpg" width="480" height="360"/>
      <media:description>The rocket lifts off at dawn.</media:description></media:group></entry></feed>`;
    expect(stories(youtube)[0]).toMatchObject({ summary: 'The rocket lifts off at dawn.', imageUrl: 'https://i.ytimg.com/vi/abc/hqdefault.jpg' });
    const podcast = rssOf(`<item><link>https://pod.example.com/1</link><media:title>Episode 1</media:title><itunes:summary>We talk about the budget.</itunes:summary></item>`).replace('<rss version="2.0">', '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">');
    expect(stories(podcast)[0]).toMatchObject({ headline: 'Episode 1', summary: 'We talk about the budget.' });
  });

  it('prefers the description, but the content when the description is a teaser cut short of it or only "Continue reading"', () => {
    const ns = '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">';
    const items = [
      rssItem('Own summary', 1, '<description>A summary of its own.</description><content:encoded>&lt;p&gt;The full text, longer.&lt;/p&gt;</content:encoded>'),
      rssItem('Cut short', 2, '<description>The council voted on the plan today [&amp;#8230;]</description><content:encoded>&lt;p&gt;The council voted on the plan today and it passed.&lt;/p&gt;</content:encoded>'),
      rssItem('Link only', 3, '<description>&lt;a href="/3"&gt;Continue reading&lt;/a&gt;</description><content:encoded>&lt;p&gt;Body text.&lt;/p&gt;</content:encoded>'),
    ];
    expect(stories(rssOf(items.join('')).replace('<rss version="2.0">', ns)).map((s) => s.summary)).toEqual(['A summary of its own.', 'The council voted on the plan today and it passed.', 'Body text.']);
  });
});

describe('6. structure', () => {
  it('reads items after a stray </channel>', () => {
    const text = `<rss version="2.0"><channel><title>Desk</title>${rssItem('First', 1)}</channel>${rssItem('After the stray end', 2)}</channel></rss>`;
    expect(stories(text).map((s) => s.headline)).toEqual(['First', 'After the stray end']);
  });

  it('reads namespaced RSS: <r:rss> and rss:item inside RDF', () => {
    const prefixed = `<r:rss xmlns:r="http://backend.userland.com/rss2" version="2.0"><r:channel><r:title>Desk</r:title><r:item><r:title>Prefixed</r:title><r:link>https://news.example.com/p</r:link></r:item></r:channel></r:rss>`;
    expect(stories(prefixed).map((s) => s.headline)).toEqual(['Prefixed']);
    const rdf = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rss="http://purl.org/rss/1.0/"><rss:channel rdf:about="https://news.example.com/"><rss:title>RDF desk</rss:title></rss:channel>
      <rss:item rdf:about="https://news.example.com/r"><rss:title>In RDF</rss:title><rss:link>https://news.example.com/r</rss:link><rss:description>Said so.</rss:description></rss:item></rdf:RDF>`;
    expect(parseFeed(rdf).title).toBe('RDF desk');
    expect(stories(rdf).map((s) => [s.headline, s.summary])).toEqual([['In RDF', 'Said so.']]);
  });
});

describe('7. feed add refuses what is not a feed, unless force', () => {
  it('answers a 404 and a web page as bad input: nothing stored, the reason, the feed the page names', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const page = server.serve('/news', {
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><html><head><link rel="alternate" type="application/atom+xml" title="News" href="/news/atom.xml"></head><body>News</body></html>',
    });
    const notFound = await t.core.run(`feed add ${server.url('/nope.rss')}`, ADMIN);
    expect(notFound).toMatchObject({ status: 'invalid', text: expect.stringMatching(/^Not added: .*answered HTTP 404: no feed at this address; check the URL\./) });
    const web = await t.core.run(`feed add ${page} category=World`, ADMIN);
    expect(web).toMatchObject({ status: 'invalid', data: { kind: 'not-a-feed', advertisedFeed: `${server.base}/news/atom.xml` } });
    expect(web.text).toContain(`The page names its feed: feed add ${server.base}/news/atom.xml`);
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM feeds').get()).toEqual({ n: 0 });

    const forced = await t.core.run(`feed add ${server.url('/nope.rss')} force`, ADMIN);
    expect(forced.status).toBe('ok');
    expect(forced.text).toMatch(/First poll: The poll failed \(http-status\)/);
    expect(t.db.prepare('SELECT COUNT(*) AS n FROM feeds').get()).toEqual({ n: 1 });
  });
});
