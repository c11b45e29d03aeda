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
  return hash106(`${words}\n${host}${path}`);
}

/**
 * A 106-bit non-cryptographic hash (two 53-bit cyrb53 lanes), as 18 base-36 digits or so. Nothing here
 * needs resistance to a crafted collision (the worst a publisher could do is hide its own story), and
 * it costs a tenth of a SHA-256 object per item; 106 bits make an accidental collision negligible.
 */
function hash106(text: string): string {
  return `${cyrb53(text, 0x9e3779b9).toString(36)}.${cyrb53(text, 0x85ebca6b).toString(36)}`;
}

function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
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
