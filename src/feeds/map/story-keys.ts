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
