import iconv from 'iconv-lite';

/** A body as text, with the character set used and any doubt about it. */
export interface DecodedBody {
  text: string;
  charset: string;
  warning: string | null;
}

/**
 * ISO-8859-1 and US-ASCII labels mean windows-1252 in practice (the WHATWG Encoding standard does the
 * same): bytes 0x80–0x9F in such feeds are curly quotes and dashes, never C1 control characters.
 */
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  utf8: 'utf-8',
};

/**
 * Turns the fetched bytes into text. The character set comes from a byte-order mark, else the
 * Content-Type header's charset, else the XML declaration's encoding, else UTF-8 (also the JSON Feed rule).
 * An unknown label falls back to UTF-8 with a warning rather than failing the poll.
 */
export function decodeBody(body: Buffer, contentType: string | null): DecodedBody {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { text: body.toString('utf8', 3), charset: 'utf-8', warning: null };
  }
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { text: iconv.decode(body.subarray(2), 'utf-16le'), charset: 'utf-16le', warning: null };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { text: iconv.decode(body.subarray(2), 'utf-16be'), charset: 'utf-16be', warning: null };

  const label = charsetFromContentType(contentType) ?? charsetFromXmlDeclaration(body);
  if (!label) return { text: body.toString('utf8'), charset: 'utf-8', warning: null };
  const normalised = label.toLowerCase();
  const charset = ALIASES[normalised] ?? normalised;
  if (charset === 'utf-8') return { text: body.toString('utf8'), charset, warning: null };
  if (!iconv.encodingExists(charset)) {
    return { text: body.toString('utf8'), charset: 'utf-8', warning: `unknown character set "${label}"; read as UTF-8` };
  }
  return { text: iconv.decode(body, charset), charset, warning: null };
}

/** `text/xml; charset="ISO-8859-1"` → `ISO-8859-1`. */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1] ?? null;
}

/** The `encoding` of `<?xml version="1.0" encoding="…"?>` in the first bytes (read as ASCII), if any. */
function charsetFromXmlDeclaration(body: Buffer): string | null {
  const head = body.toString('latin1', 0, Math.min(body.length, 512));
  const match = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return match?.[1] ?? null;
}
