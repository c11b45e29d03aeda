import { decode } from 'html-entities';

/**
 * Markup read per item at most: the summary keeps 1,000 characters of text, and every pattern below
 * is linear, so a hostile 10 MB description costs milliseconds, not minutes.
 */
export const MAX_HTML_CHARS = 64 * 1024;
/** Elements whose content is never text, and comments; both dropped with what they hold. */
const HIDDEN_START = /<(script|style|noscript|template)\b|<!--/gi;
const HIDDEN_END = { script: /<\/script/gi, style: /<\/style/gi, noscript: /<\/noscript/gi, template: /<\/template/gi };
/** Tags that separate words when removed (blocks, breaks, cells); other tags vanish without a space. */
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|figure|figcaption|section|article|header|footer|hr|pre|dd|dt|img)\b[^<>]*>/gi;
// [^<>] rather than [^>]: a "<" that never closes ends the attempt at the next "<", not at the end.
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>/g;

/** Collapses every run of whitespace (newlines, tabs, no-break spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  // \s matches Unicode spaces (no-break, ideographic, line separators) with or without the u flag; without it is faster.
  return text.replace(/\s+/g, ' ').trim();
}

/** Plain text of an HTML fragment: scripts, styles and tags removed, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  let text = headOf(html);
  if (text.includes('<')) text = dropHidden(text).replace(BLOCK_TAG, ' ').replace(ANY_TAG, '');
  if (text.includes('&')) text = decode(text, { level: 'html5' });
  return collapseWhitespace(text);
}

/** The first MAX_HTML_CHARS of markup, less a tag the cut leaves open (`<img src="data:…`). */
function headOf(html: string): string {
  if (html.length <= MAX_HTML_CHARS) return html;
  const head = html.slice(0, MAX_HTML_CHARS);
  const lt = head.lastIndexOf('<');
  return lt > head.lastIndexOf('>') ? head.slice(0, lt) : head;
}

/**
 * Removes `<script>`, `<style>`, `<noscript>`, `<template>` with their content, and comments, in one
 * pass. One left open hides the rest, as in a browser.
 */
function dropHidden(html: string): string {
  let out = '';
  let from = 0;
  HIDDEN_START.lastIndex = 0;
  for (let m = HIDDEN_START.exec(html); m; m = HIDDEN_START.exec(html)) {
    out += `${html.slice(from, m.index)} `;
    let end: number;
    if (m[1] === undefined) {
      const close = html.indexOf('-->', m.index + 4);
      end = close === -1 ? html.length : close + 3;
    } else {
      // Searched in the text itself, case-insensitively: a lowercased copy can be longer ("İ" becomes two
      // characters), so its positions would not match the original's.
      const closing = HIDDEN_END[m[1].toLowerCase() as keyof typeof HIDDEN_END];
      closing.lastIndex = m.index + 1;
      const close = closing.exec(html)?.index ?? -1;
      const gt = close === -1 ? -1 : html.indexOf('>', close);
      end = gt === -1 ? html.length : gt + 1;
    }
    from = end;
    HIDDEN_START.lastIndex = end;
  }
  return from === 0 ? html : out + html.slice(from);
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

const IMG = /<img\b[^<>]*>/gi;
/** No real `<img>` is longer (even with a long srcset); skipping longer ones keeps attribute matching linear. */
const MAX_IMG_TAG_CHARS = 8 * 1024;
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
  for (const match of headOf(html).matchAll(IMG)) {
    const tag = match[0];
    if (tag.length > MAX_IMG_TAG_CHARS) continue;
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
