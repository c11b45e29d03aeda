/** The feed formats Newsdesk reads. */
export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json';

/** Text as a feed gave it: `html` text is markup (or escaped markup) to strip; plain text is used as is. */
export interface RichText {
  text: string;
  html: boolean;
}

/** One item as the feed wrote it, before mapping: nothing resolved, cleaned or checked yet. */
export interface RawItem {
  title: RichText | null;
  /** The story's link as written (may be relative). */
  link: string | null;
  /** GUID (RSS), id (Atom, JSON Feed) or rdf:about (RSS 1.0). */
  guid: string | null;
  /** description (RSS), summary (Atom, JSON Feed). */
  summary: RichText | null;
  /** content:encoded (RSS), content (Atom), content_html/content_text (JSON Feed). */
  content: RichText | null;
  /** Further summaries, tried in order when neither of the above gives one: media:description, itunes:summary. */
  extraSummaries: RichText[];
  /** Image URLs from enclosures and Media RSS, best first (may be relative). */
  images: string[];
  /** Epoch ms of publication (or last update), when the feed says. */
  publishedAt: number | null;
  /** xml:base in effect for the item, when the feed sets one. */
  base: string | null;
  /** False when the item's element was cut off (truncated or broken XML). */
  complete: boolean;
}

/** A feed document, its items read on demand (so a big feed can be read in slices between other work). */
export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** How many items the document has. */
  count: number;
  /** Item `index` (0-based, in document order). */
  item(index: number): RawItem;
  /** Problems worked around (broken markup the parser recovered from). */
  warnings: string[];
}

/** Every item of a parsed feed, in document order. */
export function allItems(feed: ParsedFeed): RawItem[] {
  return Array.from({ length: feed.count }, (_, i) => feed.item(i));
}

/** Epoch ms of an RFC 822 / ISO 8601 date, or null. */
export function parseDate(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? null : ms;
}

/** Whether a URL (by its type or, lacking one, its file extension) is an image. */
export function looksLikeImage(url: string, type: string | null | undefined, medium?: string | null): boolean {
  if (medium) return medium === 'image';
  if (type) return type.toLowerCase().startsWith('image/');
  return /\.(jpe?g|png|gif|webp|avif)(\?|#|$)/i.test(url);
}
