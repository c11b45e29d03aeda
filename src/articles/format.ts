import type { Article } from './article.js';

/**
 * Turns an article into the text of a WhatsApp channel post:
 *
 *   *Headline*                 (breaking: *🔴 BREAKING: Headline*)
 *
 *   Summary, cut at a word boundary…
 *
 *   https://link
 *
 * Pure: no I/O, no clock. Throws FormatError for content that must not be posted.
 */

/**
 * Newsdesk keeps a post under this many UTF-16 units. WhatsApp accepts far longer text messages
 * (65,536), but a channel update longer than a screen is not read; the cap also bounds the read-back.
 */
export const MAX_POST_LENGTH = 4_096;

export interface FormatOptions {
  /** Longest summary in characters (grapheme clusters) before it is cut with an ellipsis. */
  summaryMaxChars: number;
  /** Put before breaking headlines, e.g. "🔴 BREAKING". */
  breakingLabel: string;
}

export type Postable = Pick<Article, 'headline' | 'summary' | 'url' | 'priority'>;

/** Content that can never be posted; retrying will not help. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

const ELLIPSIS = '…';

/** Formats an article as WhatsApp text. */
export function formatPost(article: Postable, options: FormatOptions): string {
  const headline = cleanLine(article.headline);
  if (!headline) throw new FormatError('headline is empty: give the article a headline');
  const url = checkPostLink(article.url);

  const title = article.priority === 'breaking' ? `${cleanLine(options.breakingLabel)}: ${headline}` : headline;
  const head = `*${neutralizeMarkup(title)}*`;
  const fixedLength = head.length + url.length + 4; // two blank-line separators
  const summaryText = neutralizeMarkup(cleanLine(article.summary));
  const room = MAX_POST_LENGTH - fixedLength - 2;
  const summary =
    summaryText && room > 1 ? cutAtWord(summaryText, Math.max(1, options.summaryMaxChars), room) : '';

  const text = summary ? `${head}\n\n${summary}\n\n${url}` : `${head}\n\n${url}`;
  if (text.length > MAX_POST_LENGTH) {
    throw new FormatError(`post would be ${text.length} characters, over the ${MAX_POST_LENGTH} limit: shorten the headline or link`);
  }
  return text;
}

/** The link as it is posted: one http(s) URL token, or a FormatError saying what to fix. */
export function checkPostLink(raw: string): string {
  const link = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(link);
  } catch {
    throw new FormatError(`link ${JSON.stringify(link.slice(0, 80))} is not a URL: use a full https:// link`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FormatError(`link must start with http:// or https:// (got ${parsed.protocol}): use the story's web address`);
  }
  // A link is always one token on its own line: whitespace inside it would split it.
  if (/\s/u.test(link)) throw new FormatError('link contains spaces: encode them as %20');
  return link;
}

// C0/C1 controls and the bidi *override* characters (which can disguise text); ordinary RTL text and
// the isolate/mark characters it needs are kept.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202d\u202e]/gu;

/** One line of plain text: controls removed, whitespace runs (including newlines) folded. */
export function cleanLine(text: string): string {
  return text.replace(UNSAFE_CHARS, ' ').replace(/\s+/gu, ' ').trim();
}

/**
 * WhatsApp has no escape character, so markup characters inside the text are replaced by look-alikes
 * that WhatsApp does not interpret: a stray `*` in a headline can then never end the bold early.
 */
const LOOKALIKES: Record<string, string> = {
  '*': '\u2217', // ∗ asterisk operator
  _: '\u02cd', // ˍ modifier letter low macron
  '~': '\u223c', // ∼ tilde operator
  '`': '\u02cb', // ˋ modifier letter grave accent
};

/** Replaces WhatsApp markup characters (and line-start quote/list markers) with look-alikes. */
export function neutralizeMarkup(text: string): string {
  return text
    .replace(/[*_~`]/g, (c) => LOOKALIKES[c] ?? c)
    .replace(/^>/, '\u203a') // › : a leading ">" would make a quote block
    .replace(/^([-•]) /, '\u2013 '); // – : a leading "- " would make a list
}

// Made on first use, not at import: the first Intl object loads ICU data (tens of milliseconds), and
// most CLI commands import this module without cutting any text.
let segmenters: { graphemes: Intl.Segmenter; words: Intl.Segmenter } | undefined;
function segmenter(granularity: 'graphemes' | 'words'): Intl.Segmenter {
  // Stryker disable next-line ObjectLiteral: 'grapheme' is Intl.Segmenter's default granularity (the words one is tested)
  segmenters ??= { graphemes: new Intl.Segmenter(undefined, { granularity: 'grapheme' }), words: new Intl.Segmenter(undefined, { granularity: 'word' }) };
  return segmenters[granularity];
}

/**
 * Cuts `text` to at most `maxChars` grapheme clusters and `maxUnits` UTF-16 units including the
 * ellipsis. It prefers the end of a word (dictionary-based for Chinese, Thai, …) and falls back to a
 * grapheme boundary when the last word boundary would throw away more than a third of the room. Never
 * splits an emoji, a combining sequence or a surrogate pair.
 */
export function cutAtWord(text: string, maxChars: number, maxUnits: number = Number.MAX_SAFE_INTEGER): string {
  if (countGraphemes(text, maxChars + 1) <= maxChars && text.length <= maxUnits) return text;
  const charBudget = maxChars - 1; // room for the ellipsis
  const unitBudget = maxUnits - ELLIPSIS.length;

  // Last grapheme boundary inside both budgets.
  let graphemeEnd = 0;
  let count = 0;
  for (const { index, segment } of segmenter('graphemes').segment(text)) {
    if (count + 1 > charBudget || index + segment.length > unitBudget) break;
    count += 1;
    graphemeEnd = index + segment.length;
  }

  // Last end of a word-like segment at or before it.
  let wordEnd = 0;
  // Stryker disable next-line MethodExpression: the whole text has the same word ends up to graphemeEnd; the slice only saves work on long text
  for (const { index, segment, isWordLike } of segmenter('words').segment(text.slice(0, graphemeEnd + 1))) {
    const end = index + segment.length;
    if (end > graphemeEnd) break;
    if (isWordLike) wordEnd = end;
  }

  const cut = wordEnd >= graphemeEnd * (2 / 3) ? wordEnd : graphemeEnd;
  const kept = text.slice(0, cut).replace(/[\s,;:.\-–—]+$/u, '');
  return kept + ELLIPSIS;
}

function countGraphemes(text: string, stopAt: number): number {
  let n = 0;
  for (const _ of segmenter('graphemes').segment(text)) {
    n += 1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: stops counting early; every count above maxChars gives the caller the same answer
    if (n >= stopAt) break;
  }
  return n;
}
