import { describe, expect, it } from 'vitest';
import { allItems, type RawItem } from '../../src/feeds/parse/feed-document.js';
import { parseFeed, parseFeedInSlices } from '../../src/feeds/parse/parse-feed.js';
import { atomEntry, itemReader, rssItem } from '../../src/feeds/parse/parse-xml-feed.js';
import { parseXml, type XmlElement } from '../../src/feeds/parse/xml-tree.js';
import { createTimeSlicer } from '../../src/feeds/ingest/time-slicer.js';

/**
 * Items are read as their end tags are scanned (parse-feed.ts, itemReader), and their elements let go:
 * what the readers return must be what reading the finished tree returns, item for item, in order.
 */

/** The items as read from a finished tree, with no reading during the scan: the reference. */
function fromTree(text: string): RawItem[] {
  const root = parseXml(text).root!;
  if (root.name === 'feed' || root.name === 'atom:feed') {
    const p = root.name === 'feed' ? '' : 'atom:';
    return root.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === `${p}entry`).map((e) => atomEntry(e, root));
  }
  const elementsOf = (el: XmlElement, name: string) => el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
  if (root.name === 'rdf:rdf') {
    const channel = elementsOf(root, 'channel')[0];
    return [...elementsOf(root, 'item'), ...(channel ? elementsOf(channel, 'item') : [])].map(rssItem);
  }
  return [...elementsOf(root, 'channel').flatMap((c) => elementsOf(c, 'item')), ...elementsOf(root, 'item')].map(rssItem);
}

const item = (n: number, extra = '') => `<item><title>Story ${n}</title><link>https://news.example.com/${n}</link>${extra}</item>`;

describe('items read as they are scanned', () => {
  it.each([
    ['RSS', `<rss><channel><title>T</title>${item(1)}${item(2, '<enclosure url="https://img.example.com/2.jpg" type="image/jpeg"/>')}</channel></rss>`],
    ['RSS with items after a stray </channel>', `<rss><channel>${item(1)}</channel>${item(2)}${item(3)}</rss>`],
    ['RSS with two channels', `<rss><channel>${item(1)}</channel><channel>${item(2)}</channel></rss>`],
    ['RSS with a last item cut short by </channel>', `<rss><channel>${item(1)}<item><title>Cut</title><link>https://news.example.com/9</link></channel></rss>`],
    ['RSS with an item closed by a mismatched tag', `<rss><channel>${item(1)}<item><title>Odd</title><link>https://news.example.com/8</link></x></item>${item(2)}</channel></rss>`],
    ['RDF', `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel><item rdf:about="https://news.example.com/1"><title>One</title></item>${item(2)}</rdf:RDF>`],
    ['Atom', `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.com/"><entry><title>One</title><link href="1"/></entry><entry xml:base="sub/"><title type="html">&lt;b&gt;Two&lt;/b&gt;</title><link href="2"/></entry></feed>`],
    ['prefixed Atom', `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:entry><a:title>One</a:title><a:link href="https://news.example.com/1"/></a:entry></a:feed>`],
  ])('%s: the same raw items, in the same order, as from the finished tree', async (_label, text) => {
    const expected = fromTree(text);
    expect(expected.length).toBeGreaterThan(0);
    expect(allItems(parseFeed(text, 'https://news.example.com/feed'))).toEqual(expected);
    const slicer = createTimeSlicer(5, () => Promise.resolve());
    expect(allItems(await parseFeedInSlices(text, 'https://news.example.com/feed', slicer))).toEqual(expected);
  });

  it('an item that never ended is read from the tree, whole, and marked incomplete', () => {
    const feed = parseFeed(`<rss><channel>${item(1)}<item><title>Cut</title><link>https://news.example.com/9</link></channel></rss>`);
    expect(allItems(feed).map((i) => [i.title?.text, i.link, i.complete])).toEqual([
      ['Story 1', 'https://news.example.com/1', true],
      ['Cut', 'https://news.example.com/9', false],
    ]);
  });

  it('an element called item anywhere else (inside a description, or deeper in the channel) keeps its content', () => {
    const feed = parseFeed(`<rss><channel>${item(1, '<description><item>kept <b>inside</b></item></description>')}<image><item><title>Not a story</title></item></image></channel></rss>`);
    expect(feed.count).toBe(1);
    expect(feed.item(0).summary).toEqual({ text: '<item>kept <b>inside</b></item>', html: true });
  });

  it('the scanner tells of each element as it ends, with the open elements around it', () => {
    const paths: string[] = [];
    parseXml(`<rss><channel>${item(1)}<image><item><title>Deep</title></item></image></channel></rss>`, {
      onEnd: (el, path) => paths.push(`${path.map((p) => p.name).join('>')}>${el.name}`),
    });
    expect(paths).toEqual([
      '#document>rss>channel>item>title',
      '#document>rss>channel>item>link',
      '#document>rss>channel>item',
      '#document>rss>channel>image>item>title',
      '#document>rss>channel>image>item',
      '#document>rss>channel>image',
      '#document>rss>channel',
      '#document>rss',
    ]);
  });

  it('lets go of the elements of each item it read (what a big feed keeps in memory), and only of those', () => {
    const reader = itemReader();
    const doc = parseXml(`<rss><channel>${item(1)}<image><item><title>Deep</title></item></image></channel>${item(2)}</rss>`, { onEnd: reader.onEnd });
    const elements = (el: XmlElement) => el.children.filter((c): c is XmlElement => typeof c !== 'string');
    const [channel, second] = elements(doc.root!);
    const [first, image] = elements(channel!);
    expect([first!.name, second!.name]).toEqual(['item', 'item']);
    // Read, and emptied: the raw items hold what the readers need.
    expect(first!.children).toEqual([]);
    expect(second!.children).toEqual([]);
    expect(reader.read.get(first!)?.title).toEqual({ text: 'Story 1', html: true });
    expect(reader.read.get(second!)?.link).toBe('https://news.example.com/2');
    // Not an item of the feed: kept whole, not read.
    const deep = elements(image!)[0]!;
    expect(elements(deep).map((e) => e.name)).toEqual(['title']);
    expect(reader.read.has(deep)).toBe(false);
    expect(reader.read.size).toBe(2);
  });

  it('reads nothing during the scan of a document that is not a feed', () => {
    const reader = itemReader();
    parseXml(`<html><body><channel>${item(1)}</channel>${item(2)}</body></html>`, { onEnd: reader.onEnd });
    expect(reader.read.size).toBe(0);
  });

  it('tells of self-closing elements, and not of elements closed by another end tag', () => {
    const names: string[] = [];
    parseXml('<r><a/><b><c></b><d x="1"/></r>', { onEnd: (el) => names.push(`${el.name}:${el.closed}`) });
    expect(names).toEqual(['a:true', 'b:true', 'd:true', 'r:true']);
  });
});

describe('the images of an item, best first', () => {
  it('enclosures, then enc:enclosures, then Media RSS contents largest first (the item and its groups), then thumbnails, then the first itunes:image', () => {
    const text = `<rss xmlns:media="http://search.yahoo.com/mrss/" xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><item>
      <title>All kinds</title><link>https://news.example.com/1</link>
      <itunes:image href=" https://img.example.com/itunes-1.jpg "/>
      <media:thumbnail url="https://img.example.com/thumb-item.jpg"/>
      <media:content url="https://img.example.com/m-100.jpg" medium="image" width="100"/>
      <enclosure url=" https://img.example.com/enclosure.jpg " type="image/jpeg"/>
      <enclosure url="https://cdn.example.com/audio.mp3" type="audio/mpeg"/>
      <media:group>
        <media:content url="https://img.example.com/m-1200.jpg" type="image/jpeg" width="1200"/>
        <media:content url="https://cdn.example.com/video.mp4" medium="video" width="4000"/>
        <media:thumbnail url="https://img.example.com/thumb-group.jpg"/>
      </media:group>
      <media:content url="https://img.example.com/m-800.png" width="800"/>
      <media:content url="https://img.example.com/m-none.jpg"/>
      <enc:enclosure rdf:resource="https://img.example.com/enc.gif" enc:type="image/gif"/>
      <enclosure url="https://img.example.com/second.webp"/>
      <itunes:image href="https://img.example.com/itunes-2.jpg"/>
    </item></channel></rss>`;
    expect(parseFeed(text).item(0).images).toEqual([
      'https://img.example.com/enclosure.jpg',
      'https://img.example.com/second.webp',
      'https://img.example.com/enc.gif',
      'https://img.example.com/m-1200.jpg',
      'https://img.example.com/m-800.png',
      'https://img.example.com/m-100.jpg',
      'https://img.example.com/m-none.jpg',
      'https://img.example.com/thumb-item.jpg',
      'https://img.example.com/thumb-group.jpg',
      'https://img.example.com/itunes-1.jpg',
    ]);
  });

  it('an item without pictures has none; an itunes:image without href gives none, even before one with it', () => {
    const none = parseFeed(`<rss><channel>${item(1)}</channel></rss>`).item(0).images;
    expect(none).toEqual([]);
    const noHref = parseFeed(`<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>${item(1, '<itunes:image/><itunes:image href="https://img.example.com/i.jpg"/>')}</channel></rss>`).item(0).images;
    expect(noHref).toEqual([]);
  });
});
