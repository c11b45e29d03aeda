/**
 * Tracked links: UTM parameters added to the link as it is posted to a channel, so the newsroom's
 * analytics can tell readers who came from WhatsApp. Only the posted text changes: the stored URL and
 * its canonical form (what dedupe compares, which drops utm_* anyway) stay as they were. Pure.
 */

/** A channel's UTM settings; `enabled` is false by default. */
export interface UtmSettings {
  enabled: boolean;
  source: string;
  medium: string;
  /** Empty: the channel's short name. */
  campaign: string;
}

/** The defaults: off; utm_source=whatsapp, utm_medium=channel, utm_campaign=<channel>. */
export const DEFAULT_UTM: UtmSettings = { enabled: false, source: 'whatsapp', medium: 'channel', campaign: '' };

/** What a UTM value may be: short, URL-safe, so the posted link stays one clean token. */
export const UTM_VALUE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `url` with utm_source, utm_medium and utm_campaign set (replacing any already there, keeping every
 * other parameter and the #fragment); `url` unchanged when tracking is off or it is not an http(s) URL.
 */
export function trackedLink(url: string, utm: UtmSettings, channelName: string): string {
  if (!utm.enabled) return url;
  let parsed: URL;
  try {
    parsed = new URL(url); // the URL parser drops surrounding spaces itself
  } catch {
    return url; // the formatter reports a link that is not a URL; tracking has nothing to add
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
  // The other parameters are kept byte for byte (URLSearchParams would re-encode them, `%20` as `+`).
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !REPLACED.has(pair.split('=', 1)[0]!.toLowerCase()));
  const added = [
    ['utm_source', utm.source],
    ['utm_medium', utm.medium],
    ['utm_campaign', utm.campaign || channelName],
  ].map(([key, value]) => `${key}=${encodeURIComponent(value!)}`);
  parsed.search = `?${[...kept, ...added].join('&')}`;
  return parsed.href;
}

const REPLACED = new Set(['utm_source', 'utm_medium', 'utm_campaign']);
