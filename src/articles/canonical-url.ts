/**
 * The key two links to the same story share. Normalised away: tracking parameters (utm_*, fbclid, …),
 * the fragment, host case, a default port, credentials, the scheme (http and https of one story are
 * one story) and trailing slashes; the remaining query parameters are sorted. `www.` is kept: it can
 * be a different site. Throws TypeError on something that is not a URL (validate first).
 */
export function canonicalUrl(input: string): string {
  // Stryker disable next-line MethodExpression: the URL parser strips leading and trailing spaces itself
  return canonicalUrlOf(new URL(input.trim()));
}

/** canonicalUrl of a link already parsed (a feed has its items' links as URLs: not parsed twice). */
export function canonicalUrlOf(url: URL): string {
  // Built as a string from one parse: the URL setters cost more than the rest (a big feed calls this 10,000 times).
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const port = url.port === '' || url.port === '443' || url.port === '80' ? '' : `:${url.port}`;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: an http(s) path is at least "/", and "/" comes out of the replace as "/"
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') || '/' : url.pathname;
  let query = '';
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: search is "" or "?" plus at least one character; an empty one keeps nothing, and the full path (`||`) gives what the short one does
  if (url.search.length > 1 && !onlyTracking(url.search)) {
    const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParam(name));
    // Stryker disable next-line EqualityOperator: equal names are decided by the first test, so < and <= agree
    kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1));
    if (kept.length > 0) query = `?${new URLSearchParams(kept).toString()}`;
  }
  return `https://${host}${port}${path}${query}`;
}

/**
 * Whether a query string holds tracking parameters only (`?utm_source=rss&utm_medium=feed`, most feed
 * links): then nothing is kept, and the parameters need not be decoded and sorted. Names are read as
 * written: decoding (`%xx`, `+`) cannot make a tracking name another, since no exact name holds `%` or
 * `+` and a tracking prefix stays a prefix; a name tracking only once decoded takes the full path.
 * Exported for its tests (a wrong `false` only costs time: canonicalUrl's own tests cannot see it).
 */
export function onlyTracking(search: string): boolean {
  // Stryker disable next-line EqualityOperator: at the last character, `<=` reads one empty pair more, which is skipped
  for (let start = 1; start < search.length; ) {
    const amp = search.indexOf('&', start);
    const end = amp === -1 ? search.length : amp;
    const eq = search.indexOf('=', start);
    // Equivalent survivor, not marked (a mark would hide the killed `>=`): `eq <= end`; an "=" is never where the pair ends.
    const name = search.slice(start, eq !== -1 && eq < end ? eq : end);
    if (end > start && !isTrackingParam(name)) return false;
    start = end + 1;
  }
  return true;
}

const TRACKING_EXACT = new Set([
  'fbclid', 'gclid', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'igshid', 'igsh', 'mc_cid', 'mc_eid', 'mkt_tok', '_hsenc', '_hsmi', 'hsctatracking', 'oly_anon_id',
  'oly_enc_id', 'vero_id', 'wickedid', 'rb_clickid', 's_cid', 'ocid', 'cmpid', 'ncid', 'sr_share',
  'at_medium', 'at_campaign', 'at_custom1', 'at_custom2', 'at_custom3', 'at_custom4', 'ito', 'smid',
  '__twitter_impression', 'ref', 'ref_src', 'ref_url', 'icid',
]);

/** Whether a query parameter only tracks the click (utm_*, fbclid, ref, …) and so never names another page. */
export function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || n.startsWith('_ga') || n.startsWith('pk_') || n.startsWith('mtm_') || TRACKING_EXACT.has(n);
}
