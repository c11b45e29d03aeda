import { createHash } from 'node:crypto';

/**
 * The content key of a story, whichever door or feed it came through: its headline (lowercased,
 * letters and digits only) with its canonical URL less the scheme and a leading `www.`. The same story
 * at `www.` and bare host, or re-published under a new GUID, shares it; two stories at one path told
 * apart by their query (`article.php?id=100`, `?id=101`) do not.
 *
 * Takes a URL already passed through canonicalUrl (callers have it at hand; computing it twice is the
 * dearest part of a big feed's ingest).
 */
export function storyHash(headline: string, canonical: string): string {
  const where = canonical.replace(/^https?:\/\/(?:www\.)?/i, '');
  const words = headline.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return createHash('sha256').update(`${words}\n${where}`).digest('base64url').slice(0, 27);
}
