import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { collapseWhitespace } from '../../articles/whitespace.js';

export { collapseWhitespace };

/**
 * Markup read per item at most: the summary keeps 1,000 characters of text, and the tokenizer
 * (htmlparser2) is linear, so a hostile 10 MB description costs milliseconds, not minutes.
 */
export const MAX_HTML_CHARS = 64 * 1024;

/** Elements whose content is never text: dropped with what they hold (one left open hides the rest, as in a browser). */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'head', 'svg', 'math', 'select']);

/** Elements that separate words when removed (blocks, breaks, cells, images); other tags vanish without a space. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'img', 'li', 'main',
  'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'video', 'audio',
]);

/**
 * Every HTML element name (current and obsolete). In a headline, a "tag" whose name is none of these
 * (`vector<int>`, `x<y and y>z`) is text a writer meant, not markup, and is kept as written.
 */
const HTML_ELEMENTS = new Set([
  ...BLOCK, ...HIDDEN,
  'a', 'abbr', 'acronym', 'area', 'b', 'base', 'basefont', 'bdi', 'bdo', 'big', 'blink', 'body', 'button', 'canvas', 'center',
  'cite', 'code', 'col', 'colgroup', 'data', 'datalist', 'del', 'dfn', 'dir', 'em', 'embed', 'font', 'frame', 'frameset', 'html',
  'i', 'input', 'ins', 'kbd', 'label', 'legend', 'link', 'map', 'mark', 'marquee', 'menu', 'meta', 'meter', 'nobr', 'optgroup',
  'option', 'output', 'param', 'picture', 'plaintext', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'slot', 'small',
  'source', 'span', 'strike', 'strong', 'sub', 'sup', 'textarea', 'time', 'title', 'track', 'tt', 'u', 'var', 'wbr', 'xmp',
]);

/** What one fragment of HTML holds for a story: its text and its first usable picture. */
export interface HtmlContent {
  /** Plain text, whitespace collapsed to single spaces. */
  text: string;
  /** src of the first `<img>` that can be the story's picture (see firstImageInHtml), entities decoded. */
  image: string | null;
}

export interface HtmlOptions {
  /**
   * Headlines: a tag whose name is not an HTML element is kept as text (`vector<int>`), and escaped
   * markup is never unescaped a second time (a title that shows `<b>` literally stays so).
   */
  headline?: boolean;
}

/** Plain text of an HTML fragment: scripts, styles, comments and tags removed, entities decoded once, whitespace collapsed. */
export function htmlToText(html: string, options: HtmlOptions = {}): string {
  return readHtml(html, options).text;
}

/**
 * Reads an HTML fragment with htmlparser2 (a tokenizer that follows the HTML rules browsers use):
 * text with blocks turned into spaces, entities decoded exactly once after tokenizing, comments,
 * doctypes, processing instructions and hidden elements dropped; and the first picture.
 *
 * A fragment whose only markup was escaped twice (`&amp;lt;p&amp;gt;Hello &amp;amp;amp; bye`, common in
 * feeds written by templates that escape twice) shows HTML once read: a summary is read once more then.
 */
export function readHtml(html: string, options: HtmlOptions = {}): HtmlContent {
  // Most headlines and many summaries hold no markup at all: no tokenizer needed for the first read.
  const first: Tokens = html.includes('<')
    ? tokenize(html, options.headline === true)
    : { raw: ENTITY_START.test(html) ? decodeHTML(html) : html, image: null, markup: false };
  if (options.headline || first.markup || !first.raw.includes('<')) return finish(first);
  const second = tokenize(first.raw, false);
  return finish(second.markup ? second : first);
}

/**
 * Where a character reference can start: "&" then "#" or a letter (no entity name starts otherwise).
 * Text without one ("Budget & tram line", the XML's own `&amp;` already read) decodes to itself, and
 * is kept as the same string (a headline read from such a title takes no memory of its own).
 */
const ENTITY_START = /&[#a-zA-Z]/;

/** src of the first `<img>` in an HTML fragment that can be the story's picture, entities decoded. */
export function firstImageInHtml(html: string): string | null {
  if (!/<img/i.test(html)) return null;
  return readHtml(html).image;
}

interface Tokens {
  raw: string;
  image: string | null;
  /** Whether any real element (an HTML tag) was read. */
  markup: boolean;
}

function finish(tokens: Tokens): HtmlContent {
  return { text: collapseWhitespace(tokens.raw), image: tokens.image };
}

function tokenize(html: string, headline: boolean): Tokens {
  const cut = html.length > MAX_HTML_CHARS;
  let source = cut ? html.slice(0, MAX_HTML_CHARS) : html;
  // The fragment ends inside something that looks like a tag: a tag the 64 KiB cut left open is
  // dropped; at the true end it was a lone "<" in text ("a <b and c", "x<y"), kept as text.
  let tail = '';
  const lt = source.lastIndexOf('<');
  if (lt !== -1 && lt > source.lastIndexOf('>')) {
    const unclosedComment = source.lastIndexOf('<!--') > source.lastIndexOf('-->');
    if (!cut && !unclosedComment && /^<\/?[^!?]/.test(source.slice(lt))) tail = source.slice(lt);
    source = source.slice(0, lt);
  }

  const state = tokenizer();
  state.begin(source, headline);
  state.parser.write(source);
  state.parser.end();
  if (tail && state.hidden === 0) state.append(decodeHTML(tail));
  return { raw: state.raw, image: state.image, markup: state.markup };
}

interface TokenizerState {
  parser: Parser;
  raw: string;
  hidden: number;
  markup: boolean;
  image: string | null;
  /** Whether a word break (a block, a hidden element, a comment) came since the last text. */
  broken: boolean;
  begin(source: string, headline: boolean): void;
  /** Adds text, after one space when a word break came between it and the text before it. */
  append(text: string): void;
}

let shared: TokenizerState | null = null;

/**
 * One htmlparser2 parser, reset for each fragment: making a parser costs more than reading a short
 * summary with it. Safe because a read never starts another read from inside its callbacks.
 */
function tokenizer(): TokenizerState {
  if (shared) return shared;
  let source = '';
  let headline = false;
  const state: TokenizerState = {
    raw: '',
    hidden: 0,
    markup: false,
    image: null,
    broken: false,
    // A break becomes one space, only between two texts: the text mostly needs no collapsing afterwards.
    append(text) {
      if (text.length === 0) return;
      if (state.broken && state.raw.length > 0) state.raw += ' ';
      state.broken = false;
      state.raw += text;
    },
    begin(text, isHeadline) {
      source = text;
      headline = isHeadline;
      state.raw = '';
      state.broken = false;
      state.hidden = 0;
      state.markup = false;
      state.image = null;
      state.parser.reset();
    },
    parser: new Parser(
      {
        onopentag(name, attrs) {
          if (headline && !isHtmlElement(name)) {
            if (state.hidden === 0) state.append(decodeHTML(source.slice(state.parser.startIndex, state.parser.endIndex + 1)));
            return;
          }
          state.markup = true;
          if (HIDDEN.has(name)) {
            if (state.hidden === 0) state.broken = true;
            state.hidden += 1;
          }
          if (state.hidden > 0) return;
          if (BLOCK.has(name)) state.broken = true;
          if (name === 'img' && state.image === null) state.image = usableImage(attrs);
        },
        onclosetag(name, implied) {
          if (headline && !isHtmlElement(name)) {
            if (!implied && state.hidden === 0) state.append(source.slice(state.parser.startIndex, state.parser.endIndex + 1));
            return;
          }
          if (HIDDEN.has(name)) state.hidden = Math.max(0, state.hidden - 1);
          else if (state.hidden === 0 && BLOCK.has(name)) state.broken = true;
        },
        ontext(text) {
          if (state.hidden === 0) state.append(text);
        },
        // Comments, <!DOCTYPE …> and <?xml …?> are markup too: dropped, and they mark the fragment as HTML.
        oncomment() {
          state.markup = true;
          if (state.hidden === 0) state.broken = true;
        },
        onprocessinginstruction() {
          state.markup = true;
        },
      },
      { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
    ),
  };
  shared = state;
  return state;
}

const isHtmlElement = (name: string) => HTML_ELEMENTS.has(name) || name.includes(':') || name.includes('-');

/** No real image URL is longer (data: URIs excepted, which are never taken). */
const MAX_SRC_CHARS = 4 * 1024;
const NOT_A_PICTURE = /^(https?:)?\/\/feeds\.feedburner\.com\/~(ff|r)\/|^data:/i;

/**
 * An `<img>` that can be the story's picture. Skipped: images declared smaller than 80 px (tracking
 * pixels, avatars, icons), inline data, and FeedBurner's share buttons and counters.
 */
function usableImage(attrs: Record<string, string>): string | null {
  if (isSmall(attrs.width) || isSmall(attrs.height)) return null;
  const src = attrs.src?.trim();
  if (!src || src.length > MAX_SRC_CHARS || NOT_A_PICTURE.test(src)) return null;
  return src;
}

/** A declared size under 80 px; sizes in other units (%, em) or none at all do not count as small. */
function isSmall(value: string | undefined): boolean {
  const m = value ? /^\s*(\d+)(px)?\s*$/.exec(value) : null;
  return m !== null && Number(m[1]) < 80;
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
