import { decode } from 'html-entities';

const DROP_WITH_CONTENT = /<(script|style|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENT = /<!--[\s\S]*?-->/g;
/** Tags that separate words when removed (blocks, breaks, cells); other tags vanish without a space. */
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|figure|figcaption|section|article|header|footer|hr|pre|dd|dt|img)\b[^>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^>]*>/g;

/** Collapses every run of whitespace (newlines, tabs, no-break spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
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
  if (space > max * 0.6) cut = cut.slice(0, space);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/[\s,;:.-]+$/u, '')}…`;
}

const IMG = /<img\b[^>]*>/gi;
const ATTR = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i');
const SRC = ATTR('src');
const WIDTH = ATTR('width');
const HEIGHT = ATTR('height');

/** src of the first `<img>` in an HTML fragment that is not a 1×1 tracking pixel, entities decoded. */
export function firstImageInHtml(html: string): string | null {
  if (!html.includes('<img') && !html.includes('<IMG')) return null;
  for (const match of html.matchAll(IMG)) {
    const tag = match[0];
    if (isPixel(attr(tag, WIDTH)) || isPixel(attr(tag, HEIGHT))) continue;
    const src = attr(tag, SRC);
    if (src) return src.includes('&') ? decode(src, { level: 'html5' }) : src;
  }
  return null;
}

function attr(tag: string, pattern: RegExp): string | null {
  const m = pattern.exec(tag);
  const value = m?.[1] ?? m?.[2] ?? m?.[3];
  return value?.trim() || null;
}

const isPixel = (value: string | null) => value === '1' || value === '0' || value === '1px';
