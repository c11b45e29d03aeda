import { isAscii, isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';

/** A body as text, the character set used, why that one, and any doubt about it. */
export interface DecodedBody {
  text: string;
  charset: string;
  /** How the character set was chosen, as shown on the feed ("HTTP header", "byte-order mark", "detected: …"). */
  reason: string;
  warning: string | null;
}

/**
 * Labels mapped the way browsers do (WHATWG Encoding standard): ISO-8859-1 and US-ASCII mean
 * windows-1252 (bytes 0x80–0x9F in such feeds are curly quotes and dashes, never C1 controls), and so on.
 */
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-9': 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  'ms_kanji': 'shift_jis',
  gb2312: 'gbk',
  'x-gbk': 'gbk',
  'x-euc-jp': 'euc-jp',
  'ks_c_5601-1987': 'euc-kr',
  'utf-16': 'utf-16le',
  'ucs-2': 'utf-16le',
};

/** Character sets in which any byte sequence decodes: the bytes cannot prove them wrong, only UTF-8 can. */
const SINGLE_BYTE = /^(windows-125\d|windows-874|iso-8859-\d+|koi8-[ru]|macintosh|ibm\d+|cp\d+)$/;

/** Bytes read by the detector at most: enough for any feed's statistics, cheap on a 10 MB body. */
const DETECT_SAMPLE_BYTES = 256 * 1024;

/**
 * Turns the fetched bytes into text, choosing the character set as browsers do, with the bytes as
 * the judge: a byte-order mark decides; else UTF-16 written without one is recognised by its zero
 * bytes; else the Content-Type header's charset, then the XML declaration's encoding, each taken only
 * when the bytes are valid in it (a legacy single-byte label loses to bytes that are valid UTF-8,
 * the usual misconfiguration behind "CafÃ©"); else valid UTF-8 is UTF-8; else chardet detects it.
 */
export function decodeBody(body: Buffer, contentType: string | null): DecodedBody {
  const bom = byteOrderMark(body);
  if (bom) return { text: iconv.decode(body.subarray(bom.length), bom.charset, { stripBOM: false }), charset: bom.charset, reason: 'byte-order mark', warning: null };

  const declared = [
    { source: 'HTTP header', label: charsetFromContentType(contentType) },
    { source: 'XML declaration', label: charsetFromXmlDeclaration(body) },
  ].filter((d): d is { source: string; label: string } => d.label !== null);

  const wide = utf16WithoutBom(body);
  if (wide) return { text: iconv.decode(body, wide), charset: wide, reason: 'UTF-16 without a byte-order mark (recognised by its zero bytes)', warning: null };

  const ascii = isAscii(body);
  const utf8 = ascii || isUtf8(body);
  const unknown: string[] = [];
  const refused: string[] = [];
  for (const { source, label } of declared) {
    const charset = normalise(label);
    if (!iconv.encodingExists(charset)) {
      unknown.push(label);
      continue;
    }
    if (ascii && !charset.startsWith('utf-16')) return decoded(body, charset, source, unknown);
    if (fits(body, charset, utf8)) return decoded(body, charset, source, unknown);
    refused.push(`${source} says ${label}`);
  }
  const because = refused.length > 0 ? ` (${refused.join(', ')}, which the bytes are not)` : declared.length > 0 && unknown.length === declared.length ? '' : ' (none declared)';
  if (utf8) return decoded(body, 'utf-8', `the bytes are valid UTF-8${because}`, unknown);
  const detected = detect(body);
  if (detected) return decoded(body, detected, `detected from the bytes${because}`, unknown);
  return decoded(body, 'windows-1252', `not UTF-8 and not recognisable: read as windows-1252${because}`, unknown);
}

function decoded(body: Buffer, charset: string, reason: string, unknown: string[]): DecodedBody {
  const text = charset === 'utf-8' ? body.toString('utf8') : iconv.decode(body, charset);
  const warning = unknown.length > 0 ? `unknown character set "${unknown[0]}"; read as ${charset}` : null;
  return { text, charset, reason, warning };
}

function normalise(label: string): string {
  const lower = label.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

/** Whether the bytes read cleanly in a declared character set. */
function fits(body: Buffer, charset: string, utf8: boolean): boolean {
  if (charset === 'utf-8') return utf8;
  if (charset.startsWith('utf-16')) return utf16WithoutBom(body) !== null;
  // Valid UTF-8 with non-ASCII in it is almost never meant as a legacy set (it would read as mojibake).
  if (utf8) return false;
  if (SINGLE_BYTE.test(charset)) return true;
  // Multi-byte sets (Shift_JIS, EUC-JP, GBK, Big5 …): an invalid sequence decodes to U+FFFD.
  return !iconv.decode(body.subarray(0, DETECT_SAMPLE_BYTES), charset).includes('\uFFFD');
}

function detect(body: Buffer): string | null {
  for (const match of chardet.analyse(textBytes(body.subarray(0, DETECT_SAMPLE_BYTES)))) {
    const charset = normalise(match.name);
    if (charset !== 'utf-8' && !charset.startsWith('utf-16') && !charset.startsWith('utf-32') && iconv.encodingExists(charset)) return charset;
  }
  return null;
}

/**
 * The bytes outside tags: a feed is mostly ASCII markup, which drowns the statistics of its few lines
 * of text (a KOI8-R feed is taken for ISO-8859-1 otherwise). `<` and `>` never occur inside a multi-byte
 * character of the sets detected, so skipping from one to the other is safe on the raw bytes.
 */
function textBytes(sample: Buffer): Buffer {
  const out = Buffer.allocUnsafe(sample.length);
  let n = 0;
  let inTag = false;
  for (let i = 0; i < sample.length; i += 1) {
    const b = sample[i]!;
    if (b === 0x3c) inTag = true;
    else if (inTag) {
      if (b === 0x3e) {
        inTag = false;
        out[n++] = 0x20;
      }
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

function byteOrderMark(body: Buffer): { charset: string; length: number } | null {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/**
 * UTF-16 without a byte-order mark: a feed starts with "<" (or white space), so its first characters
 * come as `3C 00` (little-endian) or `00 3C`; and most of the first bytes at odd or even places are zero.
 */
function utf16WithoutBom(body: Buffer): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(body.length, 512) & ~1;
  if (n < 8) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (body[i] === 0) evenZeros += 1;
    if (body[i + 1] === 0) oddZeros += 1;
  }
  const pairs = n / 2;
  if (oddZeros > pairs * 0.6 && evenZeros < pairs * 0.1 && body[1] === 0) return 'utf-16le';
  if (evenZeros > pairs * 0.6 && oddZeros < pairs * 0.1 && body[0] === 0) return 'utf-16be';
  return null;
}

/** `text/xml; charset="ISO-8859-1"` → `ISO-8859-1`. */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1] ?? null;
}

/** The `encoding` of `<?xml version="1.0" encoding="…"?>` in the first bytes (read as ASCII), if any. */
function charsetFromXmlDeclaration(body: Buffer): string | null {
  const head = body.toString('latin1', 0, Math.min(body.length, 1024));
  const match = /<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1] ?? null;
}
