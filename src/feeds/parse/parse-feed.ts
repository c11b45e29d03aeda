/*
 * Why a hand-written scanner rather than a feed library. Measured on this machine (node 20) by
 * bench/feeds-ingest.ts: the 10 fixture feeds of ../shared/fixtures/feeds, and a generated 5.9 MB RSS
 * feed of 10,000 items; parse time of the library alone, warm.
 *
 *                              10 fixtures   10k-item feed   broken XML (truncated / stray "&")       JSON Feed
 *   rss-parser 3 (baseline)       24 ms        ~290 ms        throws; the whole feed is lost          no
 *   feedsmith 3                   31 ms        ~290 ms        throws MalformedError                   yes
 *   @rowanmanning/feed-parser 2   44 ms       ~25,000 ms      reads it, but glues items together      no
 *                                             (quadratic: every item getter queries the whole document)
 *   fast-xml-parser 5, bare tree   –           ~350 ms        (mapping still to write)                –
 *   this scanner                 ~7 ms         ~70 ms         closes stray tags, reports them;        yes
 *   (its items read too, 2 Dec 2026)                          rejects a truncated document
 *
 * All read the same items, titles and links from every fixture (test/feeds/fixtures.test.ts checks ours
 * against feedsmith item by item). Speed decides it: every library parses a big feed in one blocking
 * call (300 ms here, seconds for bigger feeds) that a breaking post must wait behind, and none is faster
 * than rss-parser, the baseline the ingest target is set against. This scanner jumps between `<` with
 * indexOf, can stop and resume (so a big feed is read in time slices, see parseFeedInSlices), never
 * expands DTD entities and never recurses. The mapping rules (headline, summary, image, link) are
 * Newsdesk's own either way. JSON Feed is JSON.parse plus a small reader.
 */
import { decodeHTML } from 'entities';
import { FeedParseError } from '../errors.js';
import type { TimeSlicer } from '../ingest/time-slicer.js';
import type { ParsedFeed } from './feed-document.js';
import { readJsonFeed } from './parse-json-feed.js';
import { itemReader, readAtom, readRdf, readRss, type PreRead } from './parse-xml-feed.js';
import { createXmlScanner, parseXml, type XmlDocument } from './xml-tree.js';

/**
 * Reads a decoded body as RSS 2.0, RSS 1.0 (RDF), Atom 1.0 or JSON Feed 1.x. Throws FeedParseError
 * (`binary`, `not-a-feed`, `malformed`) with a message an admin can act on.
 */
export function parseFeed(body: string, url?: string): ParsedFeed {
  const text = precheck(body);
  if (typeof text !== 'string') return text;
  const items = itemReader();
  return readDocument(text, parseXml(text, { onEnd: items.onEnd }), url, items.read);
}

/** Characters scanned between two looks at the clock (well under a millisecond of work). */
const SCAN_STEP_CHARS = 16 * 1024;

/** parseFeed, scanning big XML documents in time slices with the event loop free in between. */
export async function parseFeedInSlices(body: string, url: string, slicer: TimeSlicer): Promise<ParsedFeed> {
  const text = precheck(body);
  if (typeof text !== 'string') return text;
  const items = itemReader();
  const scanner = createXmlScanner(text, { onEnd: items.onEnd });
  while (!scanner.scan(SCAN_STEP_CHARS)) await slicer.tick();
  return readDocument(text, scanner.document(), url, items.read);
}

/** Refuses binaries; reads JSON Feeds whole. A string is the XML to scan, less control characters. */
function precheck(text: string): ParsedFeed | string {
  if (looksBinary(text)) throw new FeedParseError('binary', 'the answer is a binary file, not a feed; check the URL');
  const start = firstSignificant(text);
  if (text[start] === '{' || text[start] === '[') return readJson(text);
  // A stray NUL or other control character (never allowed in XML, found in real feeds) is dropped, not fatal.
  return CONTROL.test(text) ? text.replace(CONTROLS, '') : text;
}

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

function readDocument(text: string, doc: XmlDocument, url: string | undefined, preRead: PreRead): ParsedFeed {
  const start = firstSignificant(text);
  const root = doc.root;
  if (!root) throw new FeedParseError('not-a-feed', 'the answer contains no XML; check the URL');
  const reader = root.name === 'rss' ? readRss : root.name === 'rdf:rdf' ? readRdf : root.name === 'feed' || root.name === 'atom:feed' ? readAtom : null;
  if (!reader) {
    if (HTML_ROOTS.has(root.name) || /^<!doctype html/i.test(text.slice(start, start + 20)) || /<html[\s>]/i.test(text.slice(0, 4096))) {
      const advertisedFeed = advertisedFeedOf(text, url);
      throw new FeedParseError('not-a-feed', webPageMessage(advertisedFeed), { advertisedFeed });
    }
    throw new FeedParseError('not-a-feed', `the answer is XML with a <${root.name}> root, not RSS, RDF or Atom`);
  }
  if (!root.closed) {
    throw new FeedParseError('malformed', `the feed ends before </${root.name}>: it is truncated or broken (${doc.problems.slice(0, 3).join('; ')})`);
  }
  return reader(root, doc.problems, preRead);
}

function readJson(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new FeedParseError('malformed', `the answer looks like JSON but does not parse: ${(cause as Error).message}`, { cause });
  }
  return readJsonFeed(doc);
}

const HTML_ROOTS = new Set(['html', 'head', 'body', 'div', 'p', 'br', 'meta', 'title', 'script', 'table', 'span', 'a', 'h1', 'link', 'style']);

/**
 * Images, archives and PDFs decoded as text are full of control characters (one byte in eight or so);
 * a text feed has none, or one stray NUL. More than 1% of the first 4 KB (and at least 8) is binary.
 */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 4096);
  let controls = 0;
  for (let i = 0; i < head.length; i += 1) {
    const c = head.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) controls += 1;
  }
  return controls >= 8 && controls > head.length / 100;
}

function firstSignificant(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
}

/** "Not a feed", plus the feed the page advertises, if it does. */
function webPageMessage(advertised: string | null): string {
  if (advertised) return `the answer is a web page, not a feed; the page names its feed as ${advertised}: add that instead`;
  return 'the answer is a web page, not a feed; find the feed link on the page (often /feed, /rss or /atom.xml)';
}

/** The feed a page names in `<link rel="alternate" type="application/rss+xml" href="…">`, resolved against the page. */
function advertisedFeedOf(html: string, url: string | undefined): string | null {
  const head = html.slice(0, 100_000);
  for (const match of head.matchAll(/<link\b[^<>]*>/gi)) {
    const tag = match[0];
    if (!/rel\s*=\s*["']?[^"'>]*\balternate/i.test(tag) || !/type\s*=\s*["']?application\/(rss|atom|feed|rdf)\+(xml|json)/i.test(tag)) continue;
    const href = /href\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s"'>]+))/i.exec(tag);
    const value = href?.[1] ?? href?.[2] ?? href?.[3];
    if (value) return resolve(decodeHTML(value), url);
  }
  return null;
}


function resolve(href: string, base: string | undefined): string {
  try {
    return new URL(href, base).toString();
  } catch {
    return href; // shown to a person as written; nothing is fetched from it
  }
}
