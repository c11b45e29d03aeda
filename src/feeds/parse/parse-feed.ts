/*
 * Why a hand-written scanner rather than a feed library (measured on the fixtures in
 * ../shared/fixtures/feeds and on a generated 10,000-item RSS feed of 5.4 MB; node 20, this machine):
 *
 *                          10k-item feed   fixtures (9 feeds)   malformed / truncated     JSON Feed
 *   rss-parser 3             ~300 ms        all read             throws (whole feed lost)  no
 *   feedsmith 3              ~290 ms        all read             throws MalformedError     yes
 *   @rowanmanning/feed-parser ~25,000 ms    all read             lenient, merges text      no
 *     (quadratic: its items are getters that query the whole document)
 *   fast-xml-parser 5 alone  ~350 ms        (tree only, mapping still to write)
 *   this scanner + mapping    ~70 ms        all read, same titles/links as feedsmith (test/feeds)
 *
 * Every library blocks the event loop for the whole parse of a big feed (300 ms here, seconds for a
 * bigger one), so a breaking article waits behind it, and rss-parser, the baseline the ingest target is
 * measured against, is as fast as the best of them. The scanner reads XML with indexOf jumps, never
 * expands DTD entities, never recurses, recovers from common breakage and reports it; the mapping to
 * items is ours either way (headline, summary, image and link rules are Newsdesk's). JSON Feed is
 * JSON.parse plus a small reader. Feedsmith stays as the oracle of a differential test on the fixtures.
 */
import { FeedParseError } from '../errors.js';
import type { ParsedFeed } from './feed-document.js';
import { readJsonFeed } from './parse-json-feed.js';
import { readAtom, readRdf, readRss } from './parse-xml-feed.js';
import { parseXml } from './xml-tree.js';

/**
 * Reads a decoded body as RSS 2.0, RSS 1.0 (RDF), Atom 1.0 or JSON Feed 1.x. Throws FeedParseError
 * (`binary`, `not-a-feed`, `malformed`) with a message an admin can act on.
 */
export function parseFeed(text: string, url?: string): ParsedFeed {
  if (looksBinary(text)) throw new FeedParseError('binary', 'the answer is a binary file, not a feed; check the URL');
  const start = firstSignificant(text);
  if (text[start] === '{' || text[start] === '[') return readJson(text);

  const doc = parseXml(text);
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
