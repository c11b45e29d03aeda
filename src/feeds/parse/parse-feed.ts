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
 *   this scanner                 5.5 ms        ~90 ms         closes stray tags, reports them;        yes
 *                                                             rejects a truncated document
 *
 * All read the same items, titles and links from every fixture (test/feeds/fixtures.test.ts checks ours
 * against feedsmith item by item). Speed decides it: every library parses a big feed in one blocking
 * call (300 ms here, seconds for bigger feeds) that a breaking post must wait behind, and none is faster
 * than rss-parser, the baseline the ingest target is set against. This scanner jumps between `<` with
 * indexOf, can stop and resume (so a big feed is read in time slices, see parseFeedInSlices), never
 * expands DTD entities and never recurses. The mapping rules (headline, summary, image, link) are
 * Newsdesk's own either way. JSON Feed is JSON.parse plus a small reader.
 */
import { FeedParseError } from '../errors.js';
import type { TimeSlicer } from '../ingest/time-slicer.js';
import type { ParsedFeed } from './feed-document.js';
import { readJsonFeed } from './parse-json-feed.js';
import { readAtom, readRdf, readRss } from './parse-xml-feed.js';
import { createXmlScanner, parseXml, type XmlDocument } from './xml-tree.js';

/**
 * Reads a decoded body as RSS 2.0, RSS 1.0 (RDF), Atom 1.0 or JSON Feed 1.x. Throws FeedParseError
 * (`binary`, `not-a-feed`, `malformed`) with a message an admin can act on.
 */
export function parseFeed(text: string, url?: string): ParsedFeed {
  const json = precheck(text);
  return json ?? readDocument(text, parseXml(text), url);
}

/** Characters scanned between two looks at the clock (well under a millisecond of work). */
const SCAN_STEP_CHARS = 16 * 1024;

/** parseFeed, scanning big XML documents in time slices with the event loop free in between. */
export async function parseFeedInSlices(text: string, url: string, slicer: TimeSlicer): Promise<ParsedFeed> {
  const json = precheck(text);
  if (json) return json;
  const scanner = createXmlScanner(text);
  while (!scanner.scan(SCAN_STEP_CHARS)) await slicer.tick();
  return readDocument(text, scanner.document(), url);
}

/** Refuses binaries; reads JSON Feeds whole. Null means: XML, go on. */
function precheck(text: string): ParsedFeed | null {
  if (looksBinary(text)) throw new FeedParseError('binary', 'the answer is a binary file, not a feed; check the URL');
  const start = firstSignificant(text);
  return text[start] === '{' || text[start] === '[' ? readJson(text) : null;
}

function readDocument(text: string, doc: XmlDocument, url: string | undefined): ParsedFeed {
  const start = firstSignificant(text);
  const root = doc.root;
  if (!root) throw new FeedParseError('not-a-feed', 'the answer contains no XML; check the URL');
  const reader = root.name === 'rss' ? readRss : root.name === 'rdf:rdf' ? readRdf : root.name === 'feed' || root.name === 'atom:feed' ? readAtom : null;
  if (!reader) {
    if (root.name === 'html' || /^<!doctype html/i.test(text.slice(start, start + 20))) throw new FeedParseError('not-a-feed', webPageMessage(text, url));
    throw new FeedParseError('not-a-feed', `the answer is XML with a <${root.name}> root, not RSS, RDF or Atom`);
  }
  if (!root.closed) {
    throw new FeedParseError('malformed', `the feed ends before </${root.name}>: it is truncated or broken (${doc.problems.slice(0, 3).join('; ')})`);
  }
  return reader(root, doc.problems);
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

/** A NUL in the first few KB never occurs in a text feed and almost always in images, archives, PDFs. */
function looksBinary(text: string): boolean {
  return text.slice(0, 4096).includes('\u0000');
}

function firstSignificant(text: string): number {
  let i = 0;
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
}

/** "Not a feed", plus the feed the page advertises (`<link rel="alternate" type="application/rss+xml">`) if any. */
function webPageMessage(html: string, url: string | undefined): string {
  const head = html.slice(0, 100_000);
  for (const match of head.matchAll(/<link\b[^>]*>/gi)) {
    const tag = match[0];
    if (!/rel\s*=\s*["']?alternate/i.test(tag) || !/type\s*=\s*["']?application\/(rss|atom|feed)\+(xml|json)/i.test(tag)) continue;
    const href = /href\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (href) return `the answer is a web page, not a feed; the page names its feed as ${resolve(href, url)}: add that instead`;
  }
  return 'the answer is a web page, not a feed; find the feed link on the page (often /feed, /rss or /atom.xml)';
}


function resolve(href: string, base: string | undefined): string {
  try {
    return new URL(href, base).toString();
  } catch {
    return href; // shown to a person as written; nothing is fetched from it
  }
}
