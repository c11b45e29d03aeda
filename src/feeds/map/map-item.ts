import { LIMITS } from '../../articles/article.js';
import { canonicalUrl } from '../../articles/canonical-url.js';
import { storyHash } from '../../articles/story-hash.js';
import type { RawItem, RichText } from '../parse/feed-document.js';
import { collapseWhitespace, firstImageInHtml, htmlToText, truncateAtWord } from './html-text.js';
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
 * Maps one raw item: headline from the title, summary from the summary or else the content (markup
 * removed, entities decoded, whitespace collapsed), link and image resolved against `base` (the item's
 * xml:base, else the feed's final URL). Items without a usable title or link are reported, not mapped.
 */
export function mapItem(raw: RawItem, position: number, feedId: number, feedUrl: string): MapResult {
  const headline = truncateAtWord(richToText(raw.title), LIMITS.headline);
  const base = raw.base ? (absolute(raw.base, feedUrl)?.toString() ?? feedUrl) : feedUrl;
  const link = raw.link ? absolute(raw.link, base) : null;
  const url = link?.toString() ?? null;
  if (!raw.complete) return { ok: false, reason: 'incomplete', headline: headline || null, link: url };
  if (!headline) return { ok: false, reason: 'no-title', headline: null, link: url };
  if (!link || !url || url.length > LIMITS.url) return { ok: false, reason: 'no-link', headline, link: raw.link };

  let summary = richToText(raw.summary);
  if (!summary || summary === headline) summary = richToText(raw.content);
  if (summary === headline) summary = '';

  const canonical = canonicalUrl(url);
  return {
    ok: true,
    item: {
      headline,
      summary: truncateAtWord(summary, SUMMARY_MAX_CHARS),
      url,
      canonicalUrl: canonical,
      imageUrl: pickImage(raw, base),
      guidKey: guidKey(raw.guid, feedId),
      contentHash: storyHash(headline, canonical),
      publishedAt: raw.publishedAt,
      position,
    },
  };
}

function richToText(value: RichText | null): string {
  if (!value) return '';
  return value.html ? htmlToText(value.text) : collapseWhitespace(value.text);
}

function pickImage(raw: RawItem, base: string): string | null {
  const candidates = [...raw.images];
  for (const html of [raw.content, raw.summary]) {
    const src = html?.html ? firstImageInHtml(html.text) : null;
    if (src) candidates.push(src);
  }
  for (const candidate of candidates) {
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
