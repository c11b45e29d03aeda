import { createHash } from 'node:crypto';

/**
 * The content key of a story: its headline (lowercased, letters and digits only) with the link's host
 * (without `www.`) and path. The same story under another query string, scheme or `www.` shares it;
 * so does one re-published under a new GUID. Two different stories would need the same headline at
 * the same path to collide.
 */
export function contentHash(headline: string, url: URL | string): string {
  const { hostname, pathname } = typeof url === 'string' ? new URL(url) : url;
  const host = hostname.toLowerCase().replace(/^www\./, '');
  const path = pathname.replace(/\/+$/, '') || '/';
  const words = headline.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return createHash('sha256').update(`${words}\n${host}${path}`).digest('base64url').slice(0, 27);
}

/**
 * The dedupe key of a GUID. A URL, `tag:` or `urn:` GUID names a story everywhere, so it is compared
 * across feeds; anything else ("1234", "post-5") is only unique within its own feed.
 */
export function guidKey(guid: string | null, feedId: number): string | null {
  if (!guid) return null;
  const value = guid.trim();
  if (value.length === 0) return null;
  return /^(https?:\/\/|tag:|urn:)/i.test(value) ? value : `feed:${feedId}:${value}`;
}
