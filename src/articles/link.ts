import { domainToUnicode } from 'node:url';
import { once } from '../once.js';
import { unsafeCharacterProblem } from './text-safety.js';

/** A link as it will be posted, or why it cannot be. */
export type LinkCheck = { ok: true; href: string } | { ok: false; problem: string };

/**
 * Checks a link typed by an editor, a CMS or a feed, and gives the form that is posted: the WHATWG URL
 * `href`, which is what a browser opens (host lower-cased, IDN hosts as `xn--` punycode, spaces and
 * non-ASCII in the path percent-encoded, a default port dropped, `/` for an empty path). Refused:
 *
 * - anything but http(s) with a host;
 * - control and text-direction characters (a URL parser would drop tabs and line breaks silently);
 * - a backslash before the query: browsers read `https:\\evil.com` and `https://a.com\@evil.com` as
 *   `https://evil.com/` and `https://a.com/@evil.com`, other software differently. Refusing, rather
 *   than posting the normalised form, keeps what the editor typed and what readers open the same;
 * - a user name or password (`https://bank.com@evil.com`): only there to disguise the real host;
 * - a host name part that mixes letters of two scripts (Latin `a` beside Cyrillic `а`), the mark of a
 *   look-alike of another site; `xn--` parts are decoded first. Latin with Han, Kana or Hangul is
 *   allowed (ordinary Japanese, Chinese and Korean names, as in Unicode's "highly restrictive" level).
 */
export function checkLink(field: string, raw: string): LinkCheck {
  const text = raw.trim();
  const unsafe = unsafeCharacterProblem(field, text);
  if (unsafe) return { ok: false, problem: unsafe };
  if (/[\t\n\r]/.test(text)) return { ok: false, problem: `${field} contains a tab or line break: a link is one line` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `${field} must be a web link starting with http:// or https://` };
  }
  // Stryker disable next-line ConditionalExpression: the URL parser refuses an http(s) link without a host, so the host test never decides
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname.length === 0) {
    return { ok: false, problem: `${field} must be a web link starting with http:// or https://` };
  }
  const beforeQuery = text.slice(0, endOfPath(text));
  if (beforeQuery.includes('\\')) {
    return {
      ok: false,
      problem: `${field} contains a backslash, which browsers read as "/" (this link would open ${url.href}): write it with forward slashes`,
    };
  }
  if (userInfo(beforeQuery) || url.username || url.password) {
    return {
      ok: false,
      problem: `${field} must not contain a user name or password before "@" (it can make a link look like another site's; this one opens ${url.host}): remove the part before "@"`,
    };
  }
  const mixed = mixedScriptLabel(url.hostname);
  if (mixed) {
    return {
      ok: false,
      problem: `${field} has a host name that mixes ${mixed.scripts.join(' and ')} letters in "${mixed.label}", the mark of a look-alike of another site: check the link and type the host name in one script`,
    };
  }
  return { ok: true, href: url.href };
}

/** Where the query or fragment starts (the text's length when it has neither). */
function endOfPath(text: string): number {
  const q = text.indexOf('?');
  const h = text.indexOf('#');
  return q === -1 ? (h === -1 ? text.length : h) : h === -1 ? q : Math.min(q, h);
}

/** Whether the authority (between the scheme and the path) holds an "@". Most links hold none at all before the query. */
function userInfo(beforeQuery: string): boolean {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; without an "@" the test below finds none either
  if (!beforeQuery.includes('@')) return false;
  // Stryker disable next-line Regex,StringLiteral: the text starts with its scheme, and what replaces it holds no "@" or "/": only the "@" test reads the result
  return beforeQuery.replace(/^[a-z][a-z0-9+.-]*:\/*/i, '').split('/', 1)[0]!.includes('@');
}

/** The scripts told apart, with a pattern each; built on first use (only a non-ASCII host needs them). */
const knownScripts = once(() =>
  [
    'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Nko', 'Devanagari', 'Bengali',
    'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan',
    'Myanmar', 'Georgian', 'Hangul', 'Ethiopic', 'Cherokee', 'Canadian_Aboriginal', 'Khmer', 'Mongolian', 'Hiragana',
    'Katakana', 'Bopomofo', 'Han', 'Yi', 'Tifinagh', 'Javanese', 'Balinese', 'Sundanese', 'Vai', 'Adlam',
    ].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') })),
);

/** Script sets that ordinary names mix (UTS #39, "highly restrictive"). */
const ALLOWED_MIXES = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** The first host label whose letters come from more than one script (outside the allowed mixes), decoded. */
function mixedScriptLabel(hostname: string): { label: string; scripts: string[] } | null {
  // Stryker disable next-line ConditionalExpression,LogicalOperator,Regex,MethodExpression: a fast path; an IP address has no xn-- label, which the next test returns on too
  if (/^[\d.]+$/.test(hostname) || hostname.startsWith('[')) return null; // IP addresses
  // A URL's host is ASCII (IDN labels come as xn-- punycode): without an xn-- label every label is one script.
  // Stryker disable next-line ConditionalExpression,BooleanLiteral,StringLiteral,MethodExpression: a fast path; the loop below finds every label ASCII then
  if (!hostname.includes('xn--')) return null;
  const unicode = domainToUnicode(hostname) || hostname;
  for (const label of unicode.split('.')) {
    // Stryker disable next-line ConditionalExpression,Regex: a fast path; an ASCII label's letters are all Latin, one script
    if (/^[\x00-\x7f]*$/.test(label)) continue; // ASCII: one script
    const scripts = new Set<string>();
    for (const ch of label) {
      if (!/\p{L}/u.test(ch)) continue; // digits, hyphens, marks: any script
      scripts.add(knownScripts().find((s) => s.pattern.test(ch))?.name ?? `Unknown (U+${ch.codePointAt(0)!.toString(16).toUpperCase()})`);
    }
    if (scripts.size <= 1) continue;
    if (ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)))) continue;
    return { label, scripts: [...scripts] };
  }
  return null;
}
