import { looksLikeImage, parseDate, type ParsedFeed, type RawItem, type RichText } from './feed-document.js';
import { child, childText, children, htmlOf, textOf } from './xml-query.js';
import type { XmlElement } from './xml-tree.js';

/** Reads an RSS 2.0 (or 0.9x) document whose root is `<rss>`. */
export function readRss(root: XmlElement, warnings: string[]): ParsedFeed {
  const channel = child(root, 'channel') ?? root;
  let elements = children(channel, 'item');
  if (elements.length === 0) elements = children(root, 'item');
  return { format: 'rss', title: childText(channel, 'title'), count: elements.length, item: (i) => rssItem(elements[i]!), warnings };
}

/** Reads an RSS 1.0 (RDF) document: items are siblings of the channel, identified by rdf:about. */
export function readRdf(root: XmlElement, warnings: string[]): ParsedFeed {
  const channel = child(root, 'channel');
  const elements = children(root, 'item');
  return { format: 'rdf', title: channel ? childText(channel, 'title') : null, count: elements.length, item: (i) => rssItem(elements[i]!), warnings };
}

function rssItem(item: XmlElement): RawItem {
  const about = item.attrs['rdf:about'] ?? null;
  const guidEl = child(item, 'guid');
  const guid = guidEl ? textOf(guidEl).trim() || null : about;
  const permalink = guidEl && guid && guidEl.attrs.ispermalink !== 'false' && /^https?:\/\//i.test(guid) ? guid : null;
  const title = child(item, 'title') ?? child(item, 'dc:title');
  const description = child(item, 'description') ?? child(item, 'dc:description');
  const encoded = child(item, 'content:encoded');
  return {
    title: title ? { text: textOf(title), html: true } : null,
    // FeedBurner rewrites links to its redirector; origLink is the publisher's own URL (better for dedupe).
    link: childText(item, 'feedburner:origlink') ?? childText(item, 'link') ?? alternateHref(item, 'atom:') ?? permalink ?? about,
    guid,
    summary: description ? { text: textOf(description), html: true } : null,
    content: encoded ? { text: textOf(encoded), html: true } : null,
    images: imagesOf(item),
    publishedAt: parseDate(childText(item, 'pubdate') ?? childText(item, 'dc:date') ?? childText(item, 'atom:updated')),
    base: item.attrs['xml:base'] ?? null,
    complete: item.closed,
  };
}

/** Reads an Atom 1.0 document (root `<feed>`, or `<atom:feed>` when written with a prefix). */
export function readAtom(root: XmlElement, warnings: string[]): ParsedFeed {
  const p = root.name === 'feed' ? '' : 'atom:';
  const feedBase = root.attrs['xml:base'] ?? null;
  const entries = children(root, `${p}entry`);
  const item = (i: number): RawItem => {
    const entry = entries[i]!;
    const content = child(entry, `${p}content`);
    const entryBase = entry.attrs['xml:base'];
    return {
      title: textConstruct(child(entry, `${p}title`)),
      link: childText(entry, 'feedburner:origlink') ?? alternateHref(entry, p),
      guid: childText(entry, `${p}id`),
      summary: textConstruct(child(entry, `${p}summary`)),
      content: content && content.attrs.src === undefined ? textConstruct(content) : null,
      images: [...enclosureImages(entry, p), ...imagesOf(entry)],
      publishedAt: parseDate(childText(entry, `${p}published`) ?? childText(entry, `${p}updated`)),
      base: entryBase !== undefined ? resolveBase(entryBase, feedBase) : feedBase,
      complete: entry.closed,
    };
  };
  return { format: 'atom', title: textConstruct(child(root, `${p}title`))?.text.trim() || null, count: entries.length, item, warnings };
}

/** An Atom text construct: `text` (default) is plain, `html` is escaped markup, `xhtml` is inline elements. */
function textConstruct(el: XmlElement | undefined): RichText | null {
  if (!el) return null;
  const type = (el.attrs.type ?? 'text').toLowerCase();
  if (type === 'xhtml') return { text: htmlOf(el), html: true };
  return { text: textOf(el), html: type === 'html' || type === 'text/html' };
}

/** href of the `rel="alternate"` (or rel-less) link, preferring an HTML one. */
function alternateHref(el: XmlElement, prefix: string): string | null {
  let fallback: string | null = null;
  for (const link of children(el, `${prefix}link`)) {
    const rel = link.attrs.rel ?? 'alternate';
    const href = link.attrs.href?.trim();
    if (rel !== 'alternate' || !href) continue;
    const type = link.attrs.type;
    if (!type || type.includes('html')) return href;
    fallback ??= href;
  }
  return fallback;
}

function enclosureImages(entry: XmlElement, prefix: string): string[] {
  const found: string[] = [];
  for (const link of children(entry, `${prefix}link`)) {
    const href = link.attrs.href?.trim();
    if (link.attrs.rel === 'enclosure' && href && looksLikeImage(href, link.attrs.type)) found.push(href);
  }
  return found;
}

/** RSS enclosures (and RSS 1.0 enc:enclosure) and Media RSS (in the item or a media:group), largest first, then thumbnails. */
function imagesOf(item: XmlElement): string[] {
  const found: string[] = [];
  for (const enclosure of children(item, 'enclosure')) {
    const url = enclosure.attrs.url?.trim();
    if (url && looksLikeImage(url, enclosure.attrs.type)) found.push(url);
  }
  for (const enclosure of children(item, 'enc:enclosure')) {
    const url = (enclosure.attrs.resource ?? enclosure.attrs['rdf:resource'] ?? enclosure.attrs.url)?.trim();
    if (url && looksLikeImage(url, enclosure.attrs.type)) found.push(url);
  }
  const scopes = [item, ...children(item, 'media:group')];
  const media = scopes
    .flatMap((scope) => children(scope, 'media:content'))
    .filter((m) => m.attrs.url && looksLikeImage(m.attrs.url, m.attrs.type, m.attrs.medium))
    .sort((a, b) => Number(b.attrs.width ?? 0) - Number(a.attrs.width ?? 0));
  for (const m of media) found.push(m.attrs.url!.trim());
  for (const scope of scopes) {
    for (const thumb of children(scope, 'media:thumbnail')) if (thumb.attrs.url) found.push(thumb.attrs.url.trim());
  }
  const itunes = child(item, 'itunes:image')?.attrs.href;
  if (itunes) found.push(itunes.trim());
  return found;
}

function resolveBase(base: string, parent: string | null): string {
  try {
    return new URL(base, parent ?? undefined).toString();
  } catch {
    return base; // a relative xml:base with no absolute parent: the feed URL resolves it later
  }
}
