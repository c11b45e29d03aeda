import { looksLikeImage, parseDate, type ParsedFeed, type RawItem, type RichText } from './feed-document.js';
import { child, childText, children, htmlOf, textOf } from './xml-query.js';
import { NO_CHILDREN, type XmlElement } from './xml-tree.js';
import { collapseWhitespace, htmlToText, MAX_HTML_CHARS } from '../map/html-text.js';

/** Items already read from their elements as the document was scanned (see parse-feed.ts). */
export type PreRead = ReadonlyMap<XmlElement, RawItem>;

const NONE: PreRead = new Map();

/**
 * Reads each item of a feed as soon as its end tag is scanned, and lets go of the elements inside it.
 * Read later, from a finished tree, every element of a 10,000-item feed (15 MB) lived through the whole
 * parse and was copied by each garbage collection on the way; read at once, an item's elements die
 * young and only its raw item (a fifth of that) is kept. The readers take the item from `read` (and
 * read the few that never ended, in a truncated or broken document, from the tree as before).
 *
 * Only the items the readers read: an RSS or RDF `<item>` in the root or in a `<channel>` of it, an
 * Atom `<entry>` in the root; an element of that name anywhere else keeps its content. It lives beside
 * the readers below because it must choose the items they choose.
 */
export function itemReader(): { onEnd: (element: XmlElement, path: readonly XmlElement[]) => void; read: PreRead } {
  const read = new Map<XmlElement, RawItem>();
  const onEnd = (element: XmlElement, path: readonly XmlElement[]) => {
    const root = path[1];
    if (!root || path.length > 3) return;
    const parent = path[path.length - 1]!;
    let raw: RawItem;
    if (root.name === 'rss' || root.name === 'rdf:rdf') {
      if (element.name !== 'item' || (parent !== root && parent.name !== 'channel')) return;
      raw = rssItem(element);
    } else if (root.name === 'feed' || root.name === 'atom:feed') {
      if (parent !== root || element.name !== `${atomPrefix(root)}entry`) return;
      raw = atomEntry(element, root);
    } else {
      return;
    }
    read.set(element, raw);
    element.children = NO_CHILDREN;
  };
  return { onEnd, read };
}

/** Reads an RSS 2.0 (or 0.9x) document whose root is `<rss>`. */
export function readRss(root: XmlElement, warnings: string[], preRead: PreRead = NONE): ParsedFeed {
  const channels = children(root, 'channel');
  const channel = channels[0] ?? root;
  // Items after a stray </channel> (or in a second channel) land beside the channel: read them all, in order.
  const elements = [...channels.flatMap((c) => children(c, 'item')), ...children(root, 'item')];
  const title = feedTitle(nonBlank(child(channel, 'title')) ?? child(channel, 'dc:title'), true);
  return { format: 'rss', title, count: elements.length, item: (i) => preRead.get(elements[i]!) ?? rssItem(elements[i]!), warnings };
}

/** Reads an RSS 1.0 (RDF) document: items are siblings of the channel, identified by rdf:about. */
export function readRdf(root: XmlElement, warnings: string[], preRead: PreRead = NONE): ParsedFeed {
  const channel = child(root, 'channel');
  const elements = [...children(root, 'item'), ...(channel ? children(channel, 'item') : [])];
  const item = (i: number) => preRead.get(elements[i]!) ?? rssItem(elements[i]!);
  return { format: 'rdf', title: channel ? feedTitle(child(channel, 'title'), true) : null, count: elements.length, item, warnings };
}

/** An RSS (or RDF) `<item>` as a raw item; only the element and what is inside it is read. */
export function rssItem(item: XmlElement): RawItem {
  const about = item.attrs['rdf:about'] ?? null;
  const guidEl = child(item, 'guid');
  const guid = guidEl ? textOf(guidEl).trim() || null : about;
  const permalink = guidEl && guid && guidEl.attrs.ispermalink !== 'false' && /^https?:\/\//i.test(guid) ? guid : null;
  const title = nonBlank(child(item, 'title')) ?? nonBlank(child(item, 'dc:title')) ?? mediaChild(item, 'media:title');
  const description = nonBlank(child(item, 'description')) ?? nonBlank(child(item, 'dc:description'));
  const encoded = nonBlank(child(item, 'content:encoded'));
  return {
    // An RSS title may hold HTML; html-text.ts keeps what is not markup (`vector<int>`) as text.
    title: title ? richOf(title, title.name !== 'media:title' || title.attrs.type === 'html') : null,
    // FeedBurner rewrites links to its redirector; origLink is the publisher's own URL (better for dedupe).
    link: childText(item, 'feedburner:origlink') ?? childText(item, 'link') ?? alternateHref(item, 'atom:') ?? permalink ?? about,
    guid,
    summary: description ? richOf(description, true) : null,
    content: encoded ? richOf(encoded, true) : null,
    extraSummaries: extraSummaries(item),
    images: imagesOf(item),
    publishedAt: parseDate(childText(item, 'pubdate') ?? childText(item, 'dc:date') ?? childText(item, 'atom:updated')),
    base: item.attrs['xml:base'] ?? null,
    complete: item.closed,
  };
}

/** Reads an Atom 1.0 document (root `<feed>`, or `<atom:feed>` when written with a prefix). */
export function readAtom(root: XmlElement, warnings: string[], preRead: PreRead = NONE): ParsedFeed {
  const p = atomPrefix(root);
  const entries = children(root, `${p}entry`);
  const item = (i: number): RawItem => preRead.get(entries[i]!) ?? atomEntry(entries[i]!, root);
  return { format: 'atom', title: feedTitle(child(root, `${p}title`), false), count: entries.length, item, warnings };
}

/** The prefix an Atom document's own elements carry: none under `<feed>`, `atom:` under `<atom:feed>`. */
export function atomPrefix(root: XmlElement): '' | 'atom:' {
  return root.name === 'feed' ? '' : 'atom:';
}

/** An Atom `<entry>` of the document under `root` as a raw item (the root gives the prefix and xml:base). */
export function atomEntry(entry: XmlElement, root: XmlElement): RawItem {
  const p = atomPrefix(root);
  const feedBase = root.attrs['xml:base'] ?? null;
  const content = child(entry, `${p}content`);
  const entryBase = entry.attrs['xml:base'];
  const mediaTitle = mediaChild(entry, 'media:title');
  return {
    title: textConstruct(nonBlank(child(entry, `${p}title`))) ?? (mediaTitle ? richOf(mediaTitle, mediaTitle.attrs.type === 'html') : null),
    link: childText(entry, 'feedburner:origlink') ?? alternateHref(entry, p),
    guid: childText(entry, `${p}id`),
    summary: textConstruct(child(entry, `${p}summary`)),
    content: content && content.attrs.src === undefined ? textConstruct(content) : null,
    extraSummaries: extraSummaries(entry),
    images: [...enclosureImages(entry, p), ...imagesOf(entry)],
    publishedAt: parseDate(childText(entry, `${p}published`) ?? childText(entry, `${p}updated`)),
    base: entryBase !== undefined ? resolveBase(entryBase, feedBase) : feedBase,
    complete: entry.closed,
  };
}

/** An Atom text construct: `text` (default) is plain, `html` is escaped markup, `xhtml` is inline elements. */
function textConstruct(el: XmlElement | undefined): RichText | null {
  if (!el) return null;
  const type = (el.attrs.type ?? 'text').toLowerCase();
  const html = type === 'html' || type === 'text/html';
  // Atom 0.3 could carry any text construct base64-encoded (mode="base64"); Atom 1.0 does so for a
  // media type that is neither text nor XML (RFC 4287, 4.1.3.3).
  const binaryType = type.includes('/') && !type.startsWith('text/') && !/[/+]xml$/.test(type);
  if (el.attrs.mode === 'base64' || binaryType) return { text: Buffer.from(textOf(el), 'base64').toString('utf8'), html };
  if (type === 'xhtml' || type === 'application/xhtml+xml') return { text: htmlOf(el), html: true };
  return richOf(el, html);
}

/**
 * An element's content: markup when the feed says so, or when it holds elements itself (a description
 * with raw, unescaped `<p>` and `<img>` in it), else text as written.
 */
function richOf(el: XmlElement, html: boolean): RichText {
  if (el.children.some((c) => typeof c !== 'string')) {
    const markup = htmlOf(el);
    // Past the markup cap of html-text.ts only a title could still be read whole: as its text.
    if (markup.length > MAX_HTML_CHARS && el.name.endsWith('title')) return { text: textOf(el), html: false };
    return { text: markup, html: true };
  }
  return { text: textOf(el), html };
}

/** The feed's own name as text: markup removed (RSS titles may hold it), entities decoded once. */
function feedTitle(el: XmlElement | undefined, rss: boolean): string | null {
  const rich = rss && el ? richOf(el, true) : textConstruct(el);
  if (!rich) return null;
  const text = rich.html ? htmlToText(rich.text, { headline: true }) : collapseWhitespace(rich.text);
  return text || null;
}

/** The element, unless it holds only whitespace (an empty <title/> gives way to the next candidate). */
function nonBlank(el: XmlElement | undefined): XmlElement | undefined {
  return el && (textOf(el).trim().length > 0 || el.children.some((c) => typeof c !== 'string')) ? el : undefined;
}

/** A Media RSS element of the item, or of its media:group (where YouTube and most video feeds put them). */
function mediaChild(item: XmlElement, name: string): XmlElement | undefined {
  const direct = nonBlank(child(item, name));
  if (direct) return direct;
  for (const group of children(item, 'media:group')) {
    const found = nonBlank(child(group, name));
    if (found) return found;
  }
  return undefined;
}

/** Summaries of video and podcast feeds: media:description (plain unless type="html"), itunes:summary, itunes:subtitle. */
function extraSummaries(item: XmlElement): RichText[] {
  const found: RichText[] = [];
  const media = mediaChild(item, 'media:description');
  if (media) found.push(richOf(media, media.attrs.type === 'html'));
  for (const name of ['itunes:summary', 'itunes:subtitle']) {
    const el = nonBlank(child(item, name));
    if (el) found.push(richOf(el, false));
  }
  return found;
}

/** href of the `rel="alternate"` (or rel-less) link, preferring an HTML one. */
function alternateHref(el: XmlElement, prefix: string): string | null {
  let fallback: string | null = null;
  for (const link of children(el, `${prefix}link`)) {
    const rel = link.attrs.rel ?? 'alternate';
    // href is required, but some feeds write the URL as the link's text (feedparser and feedsmith read it too).
    const href = link.attrs.href?.trim() ?? (textOf(link).trim() || undefined);
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

/**
 * RSS enclosures (and RSS 1.0 enc:enclosure) and Media RSS (in the item or a media:group), largest first,
 * then thumbnails, then the first itunes:image. One pass over the item's children (and its groups'):
 * every item of every feed is read here.
 */
function imagesOf(item: XmlElement): string[] {
  const enclosures: string[] = [];
  const rssOneEnclosures: string[] = [];
  const media: XmlElement[] = [];
  const thumbnails: string[] = [];
  let groups: XmlElement[] | null = null;
  let itunes: XmlElement | undefined;
  for (const node of item.children) {
    if (typeof node === 'string') continue;
    switch (node.name) {
      case 'enclosure': {
        const url = node.attrs.url?.trim();
        if (url && looksLikeImage(url, node.attrs.type)) enclosures.push(url);
        break;
      }
      case 'enc:enclosure': {
        const url = (node.attrs.resource ?? node.attrs['rdf:resource'] ?? node.attrs.url)?.trim();
        if (url && looksLikeImage(url, node.attrs.type)) rssOneEnclosures.push(url);
        break;
      }
      case 'itunes:image':
        itunes ??= node;
        break;
      case 'media:group':
        (groups ??= []).push(node);
        break;
      default:
        readMedia(node, media, thumbnails);
    }
  }
  // A group's media after the item's own, as they come (YouTube puts them all in one group).
  const groupThumbnails: string[] = [];
  for (const group of groups ?? []) for (const node of group.children) if (typeof node !== 'string') readMedia(node, media, groupThumbnails);
  media.sort((a, b) => Number(b.attrs.width ?? 0) - Number(a.attrs.width ?? 0));
  const found = [...enclosures, ...rssOneEnclosures, ...media.map((m) => m.attrs.url!.trim()), ...thumbnails, ...groupThumbnails];
  const href = itunes?.attrs.href;
  if (href) found.push(href.trim());
  return found;
}

/** A Media RSS content that is an image (kept to be sorted by size), or a thumbnail's URL. */
function readMedia(node: XmlElement, media: XmlElement[], thumbnails: string[]): void {
  if (node.name === 'media:content') {
    if (node.attrs.url && looksLikeImage(node.attrs.url, node.attrs.type, node.attrs.medium)) media.push(node);
  } else if (node.name === 'media:thumbnail' && node.attrs.url) {
    thumbnails.push(node.attrs.url.trim());
  }
}

function resolveBase(base: string, parent: string | null): string {
  try {
    return new URL(base, parent ?? undefined).toString();
  } catch {
    return base; // a relative xml:base with no absolute parent: the feed URL resolves it later
  }
}
