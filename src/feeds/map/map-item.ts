import { LIMITS } from '../../articles/article.js';
import { canonicalUrlOf } from '../../articles/canonical-url.js';
import { storyHash } from '../../articles/story-hash.js';
import type { RawItem, RichText } from '../parse/feed-document.js';
import { collapseWhitespace, readHtml, truncateAtWord, type HtmlContent } from './html-text.js';
import { guidKey } from './story-keys.js';

/** A feed item ready to be queued: clean text, absolute links, and the keys it is deduplicated by. */
export interface MappedItem {
  headline: string;
  summary: string;
  url: string;
  canonicalUrl: string;
  imageUrl: string | null;
  guidKey: string | null;
  contentHash: string;
  publishedAt: number | null;
  /** Position in the feed document (0 = first), the order when dates are missing. */
  position: number;
}

/** Why an item cannot become an article. */
export type UnusableReason = 'no-title' | 'no-link' | 'incomplete';

export type MapResult = { ok: true; item: MappedItem } | { ok: false; reason: UnusableReason; headline: string | null; link: string | null };

/** Stored summaries are cut here: the post shows far less (format.ts), and the queue stays small. */
export const SUMMARY_MAX_CHARS = 1_000;

/**
 * A feed item's keys and headline, mapped; its summary and image are read on demand (`details`). Reading
 * the markup of the summary is the dearest part of mapping, and most items never need it: a story the
 * feed showed before, or one only marked seen on a first poll, is recorded by its keys and headline.
 */
export interface KeyedItem extends Omit<MappedItem, 'summary' | 'imageUrl'> {
  /** The summary and image (computed on the first call, then kept). */
  details(): Pick<MappedItem, 'summary' | 'imageUrl'>;
}

export type KeyedResult = { ok: true; item: KeyedItem } | Exclude<MapResult, { ok: true }>;

/**
 * Maps one raw item: headline from the title, summary from the summary or else the content (markup
 * removed, entities decoded, whitespace collapsed), link and image resolved against `base` (the item's
 * xml:base, else the feed's final URL). Items without a usable title or link are reported, not mapped.
 */
export function mapItem(raw: RawItem, position: number, feedId: number, feedUrl: string): MapResult {
  const keyed = mapItemKeys(raw, position, feedId, feedUrl);
  if (!keyed.ok) return keyed;
  const { details, ...item } = keyed.item;
  return { ok: true, item: { ...item, ...details() } };
}

/** mapItem, with the summary and image left for `details()` (the same values, read only when asked for). */
export function mapItemKeys(raw: RawItem, position: number, feedId: number, feedUrl: string): KeyedResult {
  const headline = truncateAtWord(readRich(raw.title, true).text, LIMITS.headline);
  const base = raw.base ? (absolute(raw.base, feedUrl)?.toString() ?? feedUrl) : feedUrl;
  const link = raw.link ? absolute(raw.link, base) : null;
  const url = link?.toString() ?? null;
  if (!raw.complete) return { ok: false, reason: 'incomplete', headline: headline || null, link: url };
  if (!headline) return { ok: false, reason: 'no-title', headline: null, link: url };
  if (!link || !url || url.length > LIMITS.url) return { ok: false, reason: 'no-link', headline, link: raw.link };

  // The link as parsed, not its text parsed again (the same URL: an href reads back as itself).
  const canonical = canonicalUrlOf(link);
  let details: Pick<MappedItem, 'summary' | 'imageUrl'> | null = null;
  return {
    ok: true,
    item: {
      headline,
      url,
      canonicalUrl: canonical,
      guidKey: guidKey(raw.guid, feedId),
      contentHash: storyHash(headline, canonical),
      publishedAt: raw.publishedAt,
      position,
      details() {
        if (details) return details;
        const description = readRich(raw.summary);
        const content = readRich(raw.content);
        details = {
          summary: truncateAtWord(pickSummary(headline, description, content, raw.extraSummaries), SUMMARY_MAX_CHARS),
          imageUrl: pickImage(raw, [content.image, description.image], base),
        };
        return details;
      },
    },
  };
}

const NOTHING: HtmlContent = { text: '', image: null };

function readRich(value: RichText | null, headline = false): HtmlContent {
  if (!value) return NOTHING;
  return value.html ? readHtml(value.text, { headline }) : { text: collapseWhitespace(value.text), image: null };
}

/** A teaser that only points at the story ("Continue reading…", "Read more »") says nothing. */
const BOILERPLATE = /^(continue reading|read more|read the full (story|article)|more|comments?|\[?(…|\.\.\.)\]?)\W*$/i;
/** A teaser cut short by the publisher: ends with "…", "[…]" or "[...]". */
const CUT_SHORT = /\s*(\[(…|\.\.\.)\]|…|\.\.\.)\s*(continue reading.*|read more.*)?$/i;

/**
 * The summary: the description (RSS description, Atom summary), unless it is empty, the headline again,
 * only a "read more" link, or a teaser the publisher cut short of the content (then the fuller content);
 * else the content (content:encoded, Atom content), then media:description, itunes:summary.
 */
function pickSummary(headline: string, description: HtmlContent, content: HtmlContent, extra: readonly RichText[]): string {
  const useful = (text: string) => text.length > 0 && text !== headline && !BOILERPLATE.test(text);
  const teaser = description.text;
  if (useful(teaser)) {
    const stem = teaser.replace(CUT_SHORT, '');
    const cut = stem.length < teaser.length && stem.length >= 20 && content.text.startsWith(stem) && content.text.length > stem.length;
    return cut ? content.text : teaser;
  }
  if (useful(content.text)) return content.text;
  for (const candidate of extra) {
    const text = readRich(candidate).text;
    if (useful(text)) return text;
  }
  return '';
}

function pickImage(raw: RawItem, inHtml: (string | null)[], base: string): string | null {
  for (const candidate of [...raw.images, ...inHtml]) {
    if (!candidate) continue;
    const url = absolute(candidate, base)?.toString();
    if (url && url.length <= LIMITS.url) return url;
  }
  return null;
}

/** An http(s) URL, resolved against `base` when relative; null for anything else (mailto:, javascript:, junk). */
function absolute(link: string, base: string): URL | null {
  const value = link.trim();
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null; // not a URL even relative to the base: the item is reported as having no link
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname.length === 0) return null;
  return url;
}
