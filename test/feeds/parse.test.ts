import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../src/feeds/errors.js';
import { decodeBody } from '../../src/feeds/fetch/decode-body.js';
import { containsWord, filterVerdict } from '../../src/feeds/ingest/keywords.js';
import { firstImageInHtml, htmlToText, truncateAtWord } from '../../src/feeds/map/html-text.js';
import { mapItem } from '../../src/feeds/map/map-item.js';
import { guidKey } from '../../src/feeds/map/story-keys.js';
import { canonicalUrl } from '../../src/articles/canonical-url.js';
import { storyHash, storyPlace } from '../../src/articles/story-hash.js';
import { parseFeed } from '../../src/feeds/parse/parse-feed.js';
import { textOf } from '../../src/feeds/parse/xml-query.js';
import { parseXml, type XmlElement } from '../../src/feeds/parse/xml-tree.js';

describe('the XML scanner', () => {
  it('reads CDATA, comments, entities and attributes in either quote style', () => {
    const doc = parseXml(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "boom">]><rss><!-- <item> in a comment --><a href='x?a=1&amp;b=2' t="a > b"><![CDATA[<b>raw</b> &amp;]]> &lt;tag&gt; &#233;&#x20AC;</a></rss>`);
    expect(doc.problems).toEqual([]);
    const a = doc.root!.children[0];
    expect(a).toMatchObject({ name: 'a', attrs: { href: 'x?a=1&b=2', t: 'a > b' }, closed: true });
    expect(typeof a === 'object' && a.children.join('')).toBe('<b>raw</b> &amp; <tag> é€');
  });

  it('never expands DTD entities (no billion laughs)', () => {
    const doc = parseXml('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>');
    expect(doc.root!.children).toEqual(['&b;']);
  });

  it('canonicalises namespace prefixes it knows, so <mrss:content> reads as media:content', () => {
    const doc = parseXml('<rss xmlns:mrss="http://search.yahoo.com/mrss/"><mrss:content url="x"/></rss>');
    expect(doc.root!.children[0]).toMatchObject({ name: 'media:content' });
  });

  it('recovers from unclosed inner tags and stray end tags, and reports them', () => {
    const doc = parseXml('<r><title>A <b>bold</title></x><p>1 < 2</p></r>');
    expect(doc.root!.closed).toBe(true);
    expect(doc.problems).toEqual(['<b> not closed before </title>', 'end tag </x> without a start tag']);
    expect(textOf(doc.root!.children[1] as XmlElement)).toBe('1 < 2'); // a lone "<" stays text
  });

  it('closes an element by its end tag in any letter case, with spaces, or with its prefix, and takes no end tag of the document itself', () => {
    const doc = parseXml('<R xmlns:dc="http://purl.org/dc/elements/1.1/"><Title>A</TITLE ><dc:date>D</dc:date><x:y>Z</x:y></#document><p>last</p ></R>');
    expect(doc.problems).toEqual(['end tag </#document> without a start tag']);
    expect(doc.root!.closed).toBe(true);
    const kids = doc.root!.children as XmlElement[];
    expect(kids.map((k) => [k.name, k.closed, textOf(k)])).toEqual([
      ['title', true, 'A'],
      ['dc:date', true, 'D'],
      ['x:y', true, 'Z'],
      ['p', true, 'last'],
    ]);
  });

  it('survives 200,000 levels of nesting without recursion', () => {
    const deep = `<rss><channel><item><title>${'<b>'.repeat(200_000)}deep${'</b>'.repeat(200_000)}</title><link>https://e.example/1</link></item></channel></rss>`;
    const feed = parseFeed(deep);
    expect(mapItem(feed.item(0), 0, 1, 'https://e.example/').ok).toBe(true);
  });
});

describe('parseFeed refuses what is not a feed with a typed error, whatever the input', () => {
  it('never throws anything but FeedParseError, on random text or random XML-like text', () => {
    const xmlish = fc.array(fc.constantFrom('<rss>', '</rss>', '<channel>', '<item>', '</item>', '<title>', '</title>', '<![CDATA[', ']]>', '<!--', '-->', '&amp;', '&', '<', '>', '"', 'x', ' ', '<feed>', '<entry>', '{', '}'), { maxLength: 60 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), xmlish), (text) => {
        try {
          const feed = parseFeed(text);
          for (let i = 0; i < feed.count; i += 1) mapItem(feed.item(i), i, 1, 'https://feed.example/');
        } catch (err) {
          if (!(err instanceof FeedParseError)) throw err;
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the problem: empty body, other XML, HTML', () => {
    expect(() => parseFeed('')).toThrow(/contains no XML/);
    expect(() => parseFeed('<?xml version="1.0"?><svg></svg>')).toThrow('the answer is XML with a <svg> root, not RSS, RDF or Atom');
    expect(() => parseFeed('<!doctype html><p>hi')).toThrow(/web page/);
  });
});

describe('decodeBody', () => {
  const text = 'Notícias “já” – €';
  it('follows the Content-Type charset, then the XML declaration, then UTF-8', () => {
    expect(decodeBody(iconv.encode(text, 'windows-1252'), 'text/xml; charset="windows-1252"').text).toBe(text);
    const declared = iconv.encode(`<?xml version="1.0" encoding="ISO-8859-1"?><t>${text}</t>`, 'windows-1252');
    expect(decodeBody(declared, 'application/rss+xml')).toMatchObject({ text: `<?xml version="1.0" encoding="ISO-8859-1"?><t>${text}</t>`, charset: 'windows-1252' });
    expect(decodeBody(Buffer.from(text), null).text).toBe(text);
  });

  it('honours a byte-order mark (UTF-8, UTF-16) over everything else', () => {
    expect(decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'text/xml; charset=iso-8859-1').text).toBe(text);
    expect(decodeBody(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]), null).text).toBe(text);
  });

  it('reads an unknown charset as UTF-8 with a warning instead of failing', () => {
    expect(decodeBody(Buffer.from(text), 'text/xml; charset=klingon')).toEqual({ text, charset: 'utf-8', reason: 'the bytes are valid UTF-8', warning: 'unknown character set "klingon"; read as utf-8' });
  });
});

describe('text and keys', () => {
  it('turns HTML into one line of text', () => {
    expect(htmlToText('<p>One&nbsp;<b>bold</b>, two</p><p>Three<br>four</p><script>x()</script><!-- c --> &amp;&#8217;')).toBe('One bold, two Three four &’');
  });

  it('decodes references in text without markup, and leaves an "&" that starts none as written', () => {
    expect(htmlToText('Caf&eacute; &#233;&#xE9; &copy 2026 &amp;amp;')).toBe('Café éé © 2026 &amp;');
    expect(htmlToText('numeric only: &#233;&#xE9;')).toBe('numeric only: éé');
    expect(htmlToText('CAF&Eacute;')).toBe('CAFÉ');
    for (const text of ['Tom & Jerry', 'AT&T 5 & 6', 'a &1 b', 'x&', '& &; &&']) expect(htmlToText(text), text).toBe(text);
  });

  it('drops scripts, styles and comments with their content, in any case; one left open hides the rest', () => {
    expect(htmlToText('A<SCRIPT type="x">if (a<b) {}</Script >B<style>p{}</style>C<noscript>no</noscript>D<template><p>t</p></template>E<!-- <p>x</p> -->F')).toBe('A B C D E F');
    expect(htmlToText('Kept <scripts>also kept</scripts>')).toBe('Kept also kept');
    expect(htmlToText('Shown <style>p { color: red } and never closed')).toBe('Shown');
    expect(htmlToText('Shown <!-- never closed <p>x</p>')).toBe('Shown');
    expect(htmlToText('a < b and c<d')).toBe('a < b and c<d');
  });

  it('reads at most the first 64 KiB of markup of an item, and drops a tag the cut leaves open', () => {
    expect(htmlToText(`<p>${'word '.repeat(20_000)}</p><p>TAIL</p>`)).not.toContain('TAIL');
    expect(htmlToText(`<p>Short intro.</p><img src="data:image/png;base64,${'A'.repeat(70_000)}">`)).toBe('Short intro.');
  });

  it('finds the end of a script after text that lowercases to more characters (Turkish İ)', () => {
    expect(htmlToText(`${'İ'.repeat(20)} <script async src="widgets.js">x()</script>Görünür metin burada <p>son</p>`)).toBe(`${'İ'.repeat(20)} Görünür metin burada son`);
  });

  it('cuts at a word boundary with an ellipsis', () => {
    expect(truncateAtWord('The quick brown fox jumps', 15)).toBe('The quick…');
    expect(truncateAtWord('short', 15)).toBe('short');
  });

  it('takes the first real picture, not pixels, avatars or share buttons', () => {
    const html = '<img src="http://feeds.feedburner.com/~ff/x?d=1"><img width="1" height="1" src="/pixel.gif"><img src="a.jpg?x=1&amp;y=2" width="600">';
    expect(firstImageInHtml(html)).toBe('a.jpg?x=1&y=2');
  });

  it('gives one story the same content hash under tracking parameters, schemes and www., but not two stories told apart by their query', () => {
    const hash = (headline: string, url: string) => storyHash(headline, canonicalUrl(url));
    const a = hash('Rail strike: what you need to know', 'https://www.news.example.com/2026/rail?ref=home&utm_source=x');
    expect(hash('Rail Strike — What you need to know!', 'http://news.example.com/2026/rail/')).toBe(a);
    expect(hash('Rail strike: what you need to know', 'https://news.example.com/2026/other')).not.toBe(a);
    expect(hash('Weather forecast', 'https://news.example.com/article.php?id=100')).not.toBe(hash('Weather forecast', 'https://news.example.com/article.php?id=101'));
    expect(hash('Daily briefing', 'https://blog.example.com/?p=10')).not.toBe(hash('Daily briefing', 'https://blog.example.com/?p=11'));
    expect(hash('Budget passes', 'https://news.example.com/index.aspx?story=7')).not.toBe(hash('Budget passes', 'https://news.example.com/index.aspx?story=8'));
    // Feeds that tag their links with their own parameter still share the key of an ordinary path.
    expect(hash('Minister resigns', 'https://news.example.com/politics/minister?feedName=world')).toBe(hash('Minister resigns', 'https://news.example.com/politics/minister?feedName=top'));
  });

  it.each([
    ['https://news.example.com/a/b', 'news.example.com/a/b'],
    ['https://www.news.example.com/a/b?x=1', 'news.example.com/a/b'],
    ['https://news.example.com/?p=10', 'news.example.com/?p=10'],
    ['https://news.example.com?p=10', 'news.example.com?p=10'],
    ['https://news.example.com/article.php?id=100', 'news.example.com/article.php?id=100'],
    ['https://news.example.com:8443/news/index.html?id=3', 'news.example.com:8443/news/index.html?id=3'],
  ])('places %s at %s', (canonical, place) => {
    expect(storyPlace(canonical)).toBe(place);
  });

  it('scopes GUIDs that are not URLs, tags or URNs to their feed', () => {
    expect(guidKey('1234', 7)).toBe('feed:7:1234');
    expect(guidKey('tag:example.com,2026:1', 7)).toBe('tag:example.com,2026:1');
    expect(guidKey('  ', 7)).toBeNull();
  });

  it('matches keywords as whole words, case-insensitively, without regular expressions', () => {
    expect(containsWord('the rail strike', 'rail')).toBe(true);
    expect(containsWord('guardrail works', 'rail')).toBe(false);
    expect(containsWord('c++ release', 'c++')).toBe(true);
    expect(containsWord('a'.repeat(100_000), '(a+)+$')).toBe(false);
    expect(filterVerdict('Anything', { include: [], exclude: [] })).toBeNull();
  });
});
