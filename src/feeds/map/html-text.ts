import { decode } from 'html-entities';

const DROP_WITH_CONTENT = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
/** Tags that separate words when removed (blocks, breaks, cells); other tags vanish without a space. */
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|figure|figcaption|section|article|header|footer|hr|pre|dd|dt|img)\b[^>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^>]*>/g;

/** Collapses every run of whitespace (newlines, tabs, no-break spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  // \s matches Unicode spaces (no-break, ideographic, line separators) with or without the u flag; without it is faster.
  return text.replace(/\s+/g, ' ').trim();
}

/** Plain text of an HTML fragment: scripts, styles and tags removed, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  let text = html;
  if (text.includes('<')) {
    text = text.replace(DROP_WITH_CONTENT, ' ').replace(COMMENT, ' ').replace(BLOCK_TAG, ' ').replace(ANY_TAG, '');
  }
  if (text.includes('&')) text = decode(text, { level: 'html5' });
  return collapseWhitespace(text);
}

/**
 * Cuts text to at most `max` characters at a word boundary, ending with "…" when cut. Never splits a
 * surrogate pair.
 */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space > max / 2) cut = cut.slice(0, space); // a word boundary, unless that loses over half
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:.-]+$/u, '')}…`;
}

const IMG = /<img\b[^>]*>/gi;
const ATTR = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i');
const SRC = ATTR('src');
const WIDTH = ATTR('width');
const HEIGHT = ATTR('height');

/**
 * src of the first `<img>` in an HTML fragment that can be the story's picture, entities decoded.
 * Skipped: images declared smaller than 80 px (tracking pixels, avatars, icons) and FeedBurner's
 * share buttons and counters.
 */
export function firstImageInHtml(html: string): string | null {
  if (!html.includes('<img') && !html.includes('<IMG')) return null;
  for (const match of html.matchAll(IMG)) {
    const tag = match[0];
    if (isSmall(attr(tag, WIDTH)) || isSmall(attr(tag, HEIGHT))) continue;
    const raw = attr(tag, SRC);
    const src = raw && raw.includes('&') ? decode(raw, { level: 'html5' }) : raw;
    if (src && !NOT_A_PICTURE.test(src)) return src;
  }
  return null;
}

const NOT_A_PICTURE = /^(https?:)?\/\/feeds\.feedburner\.com\/~(ff|r)\/|^data:/i;

function attr(tag: string, pattern: RegExp): string | null {
  const m = pattern.exec(tag);
  const value = m?.[1] ?? m?.[2] ?? m?.[3];
  return value?.trim() || null;
}

/** A declared size under 80 px; sizes in other units (%, em) or none at all do not count as small. */
function isSmall(value: string | null): boolean {
  const m = value ? /^(\d+)(px)?$/.exec(value) : null;
  return m !== null && Number(m[1]) < 80;
}
