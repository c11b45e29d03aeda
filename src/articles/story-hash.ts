import { once } from '../once.js';

/**
 * node:crypto's one-shot hash (Node 20.12+: no Hash object per story, a third of the cost), loaded on
 * first use: a CLI command that hashes nothing does not load it (see once.ts).
 */
const sha256 = once(() => {
  const { hash } = process.getBuiltinModule('node:crypto');
  return (text: string): string => hash('sha256', text, 'base64url');
});

/**
 * The content key of a story, whichever door or feed it came through: its headline (lowercased,
 * letters and digits only) with its canonical URL's host (less a leading `www.`) and path. The same
 * story at `www.` and bare host, re-published under a new GUID, or carried by two feeds that tag their
 * links with their own parameters (`?feedName=world`, `?from=rss`) shares it.
 *
 * The query string counts only where the path cannot tell stories apart: the site root and script
 * paths (`/?p=10`, `article.php?id=100`, `/index.aspx?story=7`), whose stories differ only in it.
 *
 * Takes a URL already passed through canonicalUrl (callers have it at hand; computing it twice is the
 * dearest part of a big feed's ingest).
 */
export function storyHash(headline: string, canonical: string): string {
  const words = ASCII.test(headline)
    ? headline.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim() // the same words: ASCII is its own NFKC form, its letters a-z, digits 0-9
    : headline.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return sha256()(`${words}\n${storyPlace(canonical)}`).slice(0, 27);
}

// Equivalent survivor, not marked (a mark would hide the killed `[^…]`): the Regex `/^[\x00-\x7f]$/`; it only sends more headlines the Unicode way.
const ASCII = /^[\x00-\x7f]*$/;

/** Where a story lives, for its key: host and path, plus the query where the path is generic. */
export function storyPlace(canonical: string): string {
  // Stryker disable next-line Regex: a canonical URL starts with its scheme, and replace() takes the first match only
  const bare = canonical.replace(/^https?:\/\/(?:www\.)?/i, '');
  const q = bare.indexOf('?');
  // Stryker disable next-line ConditionalExpression,UnaryOperator: without a query the path rule below returns bare too (path "/" is generic; q is never 1)
  if (q === -1) return bare;
  const slash = bare.indexOf('/');
  // Stryker disable next-line EqualityOperator: slash and q are positions of different characters, never equal
  const path = slash === -1 || slash > q ? '/' : bare.slice(slash, q);
  return GENERIC_PATH.test(path) ? bare : bare.slice(0, q);
}

/** Paths that serve many stories told apart by the query: the root, an index page, a script. */
const GENERIC_PATH = /^\/$|\/index\.[a-z]+$|\.(?:php\d?|aspx?|jsp|jspa|cfm|cgi|pl|do|action)$/i;
