/**
 * The key two links to the same story share. Normalised away: tracking parameters (utm_*, fbclid, …),
 * the fragment, host case, a default port, credentials, the scheme (http and https of one story are
 * one story) and trailing slashes; the remaining query parameters are sorted. `www.` is kept: it can
 * be a different site. Throws TypeError on something that is not a URL (validate first).
 */
export function canonicalUrl(input: string): string {
  const url = new URL(input.trim());
  url.hash = '';
  url.protocol = 'https:';
  url.hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  if (url.port === '443' || url.port === '80') url.port = '';
  url.username = '';
  url.password = '';

  const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParam(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1));
  url.search = '';
  for (const [name, value] of kept) url.searchParams.append(name, value);

  if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  const text = url.toString();
  // URL keeps a lone "?" when every parameter was removed; drop it.
  return text.endsWith('?') ? text.slice(0, -1) : text;
}

const TRACKING_EXACT = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'igshid', 'igsh', 'mc_cid', 'mc_eid', 'mkt_tok', '_hsenc', '_hsmi', 'hsctatracking', 'oly_anon_id',
  'oly_enc_id', 'vero_id', 'wickedid', 'rb_clickid', 's_cid', 'ocid', 'cmpid', 'ncid', 'sr_share',
  'at_medium', 'at_campaign', 'at_custom1', 'at_custom2', 'at_custom3', 'at_custom4', 'ito', 'smid',
  '__twitter_impression', 'ref_src', 'ref_url', 'icid',
]);

function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || n.startsWith('_ga') || n.startsWith('pk_') || n.startsWith('mtm_') || TRACKING_EXACT.has(n);
}
