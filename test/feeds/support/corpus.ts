import fs from 'node:fs';
import path from 'node:path';
import { parseFeed as feedsmithParse } from 'feedsmith';
import { decodeBody } from '../../../src/feeds/fetch/decode-body.js';
import { collapseWhitespace, htmlToText } from '../../../src/feeds/map/html-text.js';
import { mapItem } from '../../../src/feeds/map/map-item.js';
import type { ParsedFeed } from '../../../src/feeds/parse/feed-document.js';
import { parseFeed } from '../../../src/feeds/parse/parse-feed.js';

export const CORPUS = path.resolve(import.meta.dirname, '../../fixtures/feedparser');
/** Where feedparser's own tests serve these files from: relative links in them resolve against it. */
const SERVED_FROM = 'http://127.0.0.1:8097/tests/wellformed/';

/** The fields compared: what a story's headline, link and summary are made of, and the feed's name. */
export type Field = 'title' | 'link' | 'summary' | 'feed-title';

/** Every corpus file, as `folder/name.xml`. */
export function corpusFiles(): string[] {
  return fs
    .readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => fs.readdirSync(path.join(CORPUS, d.name)).filter((f) => f.endsWith('.xml')).map((f) => `${d.name}/${f}`))
    .sort();
}

interface Read {
  text: string;
  feedUrl: string;
  ours: ParsedFeed | null;
  oursError: string | null;
}

function read(file: string): Read {
  const text = decodeBody(fs.readFileSync(path.join(CORPUS, file)), null).text;
  const feedUrl = SERVED_FROM + file;
  try {
    return { text, feedUrl, ours: parseFeed(text, feedUrl), oursError: null };
  } catch (err) {
    return { text, feedUrl, ours: null, oursError: (err as Error).message };
  }
}

/** Our headline, link and summary of item i: what would be queued (a missing link does not hide the rest). */
function ourFields(feed: ParsedFeed, i: number, feedUrl: string): Record<'title' | 'link' | 'summary', string> {
  const raw = feed.item(i);
  const mapped = mapItem({ ...raw, complete: true }, i, 1, feedUrl);
  if (mapped.ok) return { title: mapped.item.headline, link: mapped.item.url, summary: mapped.item.summary };
  // No title or no link: map again with stand-ins to see the rest.
  const stand = mapItem({ ...raw, complete: true, title: raw.title ?? { text: '-', html: false }, link: raw.link ?? 'https://stand-in.invalid/' }, i, 1, feedUrl);
  const fields = stand.ok ? stand.item : { headline: '', url: '', summary: '' };
  return { title: raw.title ? fields.headline : '', link: raw.link ? fields.url : '', summary: fields.summary };
}

const str = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value) return str((value as { value: unknown }).value);
  return '';
};

/** Their headline, link and summary of item i, as feedsmith gives them (strings, markup as written). */
function theirFields(item: Record<string, unknown>): Record<'title' | 'link' | 'summary', string> {
  const links = Array.isArray(item.links) ? (item.links as { href?: string; rel?: string }[]) : [];
  const guid = item.guid as { value?: string; isPermaLink?: boolean } | undefined;
  const link =
    str(item.link) ||
    links.find((l) => !l.rel || l.rel === 'alternate')?.href ||
    (guid?.value && guid.isPermaLink !== false && /^https?:/.test(guid.value) ? guid.value : '');
  const content = item.content as { encoded?: string } | string | undefined;
  const summary = str(item.description) || str(item.summary) || (typeof content === 'object' && content && 'encoded' in content ? str(content.encoded) : str(content));
  return { title: str(item.title), link, summary };
}

/** The text forms a string from another reader may stand for: as written, or as HTML read to text. */
function textForms(value: string): string[] {
  return [collapseWhitespace(value), htmlToText(value), htmlToText(value, { headline: true })];
}

function agrees(field: Field, ours: string, theirs: string, feedUrl: string): boolean {
  if (field === 'link') {
    if (!theirs) return ours === '';
    try {
      return ours === new URL(theirs.trim(), feedUrl).toString();
    } catch {
      return false;
    }
  }
  const forms = textForms(theirs);
  if (forms.includes(ours)) return true;
  // Ours is cut at 1,000 characters ("…") and never repeats the headline as the summary.
  return ours.endsWith('…') && forms.some((f) => f.startsWith(ours.slice(0, -1).trimEnd()));
}

/** One difference between two readings of a corpus file. */
export interface Difference {
  ours: string;
  theirs: string;
}

/** Every disagreement between our parser and feedsmith on headline, link and summary text, by `file#item.field`. */
export function differences(): Map<string, Difference> {
  const found = new Map<string, Difference>();
  for (const file of corpusFiles()) {
    const { text, feedUrl, ours, oursError } = read(file);
    let theirs: ReturnType<typeof feedsmithParse> | null = null;
    try {
      theirs = feedsmithParse(text);
    } catch {
      theirs = null;
    }
    const feed = theirs?.feed as Record<string, unknown> | undefined;
    const theirItems = ((feed?.items ?? feed?.entries) as Record<string, unknown>[] | undefined) ?? [];
    if (!ours || !theirs) {
      if (ours && ours.count > 0) found.set(`${file}#feed`, { ours: `${ours.count} items`, theirs: 'feedsmith throws' });
      if (!ours && theirItems.length > 0) found.set(`${file}#feed`, { ours: oursError ?? 'error', theirs: `${theirItems.length} items` });
      continue;
    }
    const theirTitle = str(feed?.title);
    if (theirTitle || ours.title) {
      if (!agrees('feed-title', ours.title ?? '', theirTitle, feedUrl)) found.set(`${file}#feed-title`, { ours: ours.title ?? '', theirs: theirTitle });
    }
    if (ours.count !== theirItems.length) found.set(`${file}#count`, { ours: String(ours.count), theirs: String(theirItems.length) });
    for (let i = 0; i < Math.min(ours.count, theirItems.length); i += 1) {
      const mine = ourFields(ours, i, feedUrl);
      const other = theirFields(theirItems[i]!);
      for (const field of ['title', 'link', 'summary'] as const) {
        if (!agrees(field, mine[field], other[field], feedUrl)) found.set(`${file}#${i}.${field}`, { ours: mine[field], theirs: other[field] });
      }
    }
  }
  return found;
}

/** `entries[0]['title'] == u'…'` and the like, from a file's "Expect:" comment: the corpus's own answer. */
const EXPECT = /(entries\[0\]\['(title|link|summary|description)'\]|feed\['title'\])\s*==\s*(?:u?'((?:[^'\\]|\\.)*)'|u?"((?:[^"\\]|\\.)*)")/g;

/** Where our reading differs from what a file's own expectation says a correct reader returns, by `file#field`. */
export function expectationMisses(): Map<string, Difference> {
  const found = new Map<string, Difference>();
  for (const file of corpusFiles()) {
    const { text, feedUrl, ours, oursError } = read(file);
    const line = /^\s*Expect:\s*(.*)$/m.exec(text)?.[1];
    if (!line || line.includes(' or ')) continue;
    for (const m of line.matchAll(EXPECT)) {
      const expected = unescapePython(m[3] ?? m[4] ?? '');
      const field: Field = m[1] === "feed['title']" ? 'feed-title' : m[2] === 'title' ? 'title' : m[2] === 'link' ? 'link' : 'summary';
      let mine: string;
      if (!ours) mine = `error: ${oursError}`;
      else if (field === 'feed-title') mine = ours.title ?? '';
      else if (ours.count === 0) mine = '(no items)';
      else mine = ourFields(ours, 0, feedUrl)[field];
      if (!agrees(field, mine, expected, feedUrl)) found.set(`${file}#${field}`, { ours: mine, theirs: expected });
    }
  }
  return found;
}

function unescapePython(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_all, esc: string) => {
    if (esc[0] === 'u' || esc[0] === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[esc] ?? esc;
  });
}
