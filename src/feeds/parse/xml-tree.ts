import { decodeHTMLStrict } from 'entities';

/** One element of a parsed XML document. Names are lowercased and namespace prefixes made canonical. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** In document order; read-only (an element without children shares one frozen empty array). */
  children: readonly XmlNode[];
  /** False when the document ended (or an outer end tag came) before this element's own end tag. */
  closed: boolean;
}

/** Text (entities decoded, CDATA as is) or an element. */
export type XmlNode = XmlElement | string;

/** What the scanner found, with the structural problems it worked around. */
export interface XmlDocument {
  root: XmlElement | null;
  problems: string[];
}

/**
 * Namespace URIs of the vocabularies feeds use, mapped to the prefix this code looks them up by, so a
 * feed that writes `<mrss:content>` is read like one that writes `<media:content>`.
 */
const KNOWN_NAMESPACES: Record<string, string> = {
  // RSS itself, when a feed writes it with a prefix (`<rss:item>` inside RDF, `<r:rss>`): no prefix.
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://rssnamespace.org/feedburner/ext/1.0': 'feedburner',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://purl.oclc.org/net/rss_2.0/enc#': 'enc',
};

const MAX_PROBLEMS = 20;

/**
 * Entities are decoded once, here, with the HTML names too: feeds write `Caf&eacute;` without declaring
 * it (readers accept it). Only with their semicolon, so a raw `&copy=2` in a link stays as written.
 */
const decodeEntities = (text: string): string => flattened(decodeHTMLStrict(text));

/**
 * The decoder builds its result piece by piece: a rope of string fragments, kept as such in the tree
 * (a third more memory for a big feed, copied by each garbage collection). Converting a string to a
 * number makes V8 flatten it to one piece, in place.
 */
function flattened(text: string): string {
  void ((text as unknown as number) | 0);
  return text;
}

/** Local names of the elements a feed document starts with (`rss`, `rdf:RDF`, `feed`, or any prefix). */
const FEED_ROOTS = new Set(['rss', 'rdf', 'feed']);
const RSS_NAMESPACE = 'http://backend.userland.com/rss2';

/**
 * A lenient, non-validating XML scanner built for feeds: jumps between `<` with indexOf rather than
 * walking characters, never expands DTD entities (no billion laughs), and never recurses (a deeply nested
 * document cannot overflow the stack). Mismatched end tags close the elements opened inside them; text
 * that cannot be a tag is kept as text. Problems are collected, not thrown: the caller decides.
 */
export function parseXml(text: string, options: ScanOptions = {}): XmlDocument {
  const scanner = createXmlScanner(text, options);
  scanner.scan(Infinity);
  return scanner.document();
}

/** A scan that can stop and go on: `scan(n)` reads about n more characters and says whether it is done. */
export interface XmlScanner {
  scan(budget: number): boolean;
  document(): XmlDocument;
}

export interface ScanOptions {
  /**
   * Called as each element ends with its own end tag (or `/>`), once its content is complete and it is
   * off the stack. `path` is the open elements around it, from the document (0) and its root (1) to its
   * parent; only valid during the call. A reader can take what it needs of the element there, while its
   * content is still young in the heap (see parse-feed.ts), and may then replace its children.
   */
  onEnd?: (element: XmlElement, path: readonly XmlElement[]) => void;
}

/** The scanner behind parseXml, resumable so a big document can be read between turns of the event loop. */
export function createXmlScanner(text: string, options: ScanOptions = {}): XmlScanner {
  const onEnd = options.onEnd;
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  const top: XmlElement = { name: '#document', attrs: {}, children: NO_CHILDREN, closed: true };
  const stack: XmlElement[] = [top];
  // How many elements of each name are open: a stray end tag is recognised without walking the stack
  // (100,000 of them under a deep stack would otherwise take minutes).
  const open = new Map<string, number>();
  const opened = (name: string, by: number) => open.set(name, (open.get(name) ?? 0) + by);
  // Prefix scopes, pushed only by elements that declare namespaces (rare), so the usual cost is nil.
  const scopes: { depth: number; map: Map<string, string> }[] = [];
  const names = createInterner();
  let current = top;
  let rootSeen = false;
  let i = 0;
  const n = text.length;

  const addText = (raw: string, entities: boolean) => {
    if (raw.length === 0) return;
    // Indentation between elements is most of the text nodes of a feed: keep one shared space instead.
    if (entities && isBlank(raw)) {
      append(current, ' ');
      return;
    }
    append(current, entities && raw.includes('&') ? decodeEntities(raw) : raw);
  };

  /** Ends the element at `at` with its end tag, and any left open inside it without one. */
  const end = (at: number) => {
    const ended = stack[at]!;
    ended.closed = true;
    for (let k = at; k < stack.length; k += 1) opened(stack[k]!.name, -1);
    stack.length = at;
    while (scopes.length > 0 && scopes[scopes.length - 1]!.depth >= at) scopes.pop();
    current = stack[at - 1]!;
    onEnd?.(ended, stack);
  };

  const scan = (budget: number): boolean => {
    const stopAt = i + budget;
    while (i < n && i < stopAt) {
      const lt = text.indexOf('<', i);
      if (lt === -1) {
        addText(text.slice(i), true);
        i = n;
        break;
      }
      if (lt > i) addText(text.slice(i, lt), true);
      const next = text.charCodeAt(lt + 1);
      if (next === 33 /* ! */) {
        if (text.startsWith('<!--', lt)) {
          const end = text.indexOf('-->', lt + 4);
          i = end === -1 ? n : end + 3;
        } else if (text.startsWith('<![CDATA[', lt)) {
          const end = text.indexOf(']]>', lt + 9);
          if (end === -1) note('unterminated CDATA section');
          addText(text.slice(lt + 9, end === -1 ? n : end), false);
          i = end === -1 ? n : end + 3;
        } else {
          i = skipDeclaration(text, lt);
        }
        continue;
      }
      if (next === 63 /* ? */) {
        const end = text.indexOf('?>', lt + 2);
        i = end === -1 ? n : end + 2;
        continue;
      }
      if (next === 47 /* / */) {
        // Most end tags close the open element, written as it was opened: `</title>` right after `<title>…`.
        // Its name is matched in place (nothing sliced, lowercased or looked up); a prefixed name takes the
        // full path, where the prefix is resolved.
        const own = current.name;
        const close = lt + 2 + own.length;
        if (stack.length > 1 && text.charCodeAt(close) === 62 && text.startsWith(own, lt + 2) && !own.includes(':')) {
          end(stack.length - 1);
          i = close + 1;
          continue;
        }
        const gt = text.indexOf('>', lt + 2);
        const stop = gt === -1 ? n : gt;
        const name = resolveName(text.slice(lt + 2, stop).trim().toLowerCase(), scopes);
        if (!open.get(name)) {
          note(`end tag </${name}> without a start tag`);
        } else {
          let at = stack.length - 1;
          while (at > 0 && stack[at]!.name !== name) at -= 1;
          if (at !== stack.length - 1) note(`<${stack[stack.length - 1]!.name}> not closed before </${name}>`);
          end(at);
        }
        i = stop + 1;
        continue;
      }
      const tag = readStartTag(text, lt);
      if (!tag) {
        addText('<', false); // a lone "<" in text (invalid XML, common in feeds): keep it as text
        i = lt + 1;
        continue;
      }
      let declared = namespaceDeclarations(tag.attrs);
      if (!rootSeen && FEED_ROOTS.has(tag.name.slice(tag.name.indexOf(':') + 1))) {
        rootSeen = true;
        // Whatever came before the feed (a PHP warning's <br>, an injected <script>) is not part of it.
        if (stack.length > 1) {
          note(`<${stack[1]!.name}> before the feed's root element ignored`);
          for (let k = 1; k < stack.length; k += 1) opened(stack[k]!.name, -1);
          stack.length = 1;
          current = top;
          scopes.length = 0;
        }
        const colon = tag.name.indexOf(':');
        if (colon !== -1 && tag.name.endsWith(':rss')) (declared ??= new Map()).set(tag.name.slice(0, colon), RSS_NAMESPACE);
      }
      if (declared) scopes.push({ depth: stack.length, map: declared });
      const element: XmlElement = { name: names.intern(resolveName(tag.name, scopes)), attrs: tag.attrs, children: NO_CHILDREN, closed: tag.selfClosing };
      append(current, element);
      if (tag.selfClosing) {
        if (declared) scopes.pop();
        onEnd?.(element, stack);
      } else {
        stack.push(element);
        opened(element.name, 1);
        current = element;
      }
      i = tag.end;
    }
    return i >= n;
  };

  return {
    scan,
    document(): XmlDocument {
      if (stack.length > 1) note(`document ended inside <${stack[stack.length - 1]!.name}>`);
      const elements = top.children.filter((c): c is XmlElement => typeof c !== 'string');
      const root = elements.find((e) => FEED_ROOTS.has(e.name.slice(e.name.indexOf(':') + 1))) ?? elements[0] ?? null;
      return { root, problems };
    },
  };
}

/** Skips `<!DOCTYPE …>` (with an internal subset in brackets) or any other `<!…>`; returns the next index. */
function skipDeclaration(text: string, lt: number): number {
  const gt = text.indexOf('>', lt);
  // `[` is looked for only inside this declaration: searching on to the end for every `<!x>` of a
  // hostile document would make the scan quadratic.
  const bracket = text.slice(lt, gt === -1 ? text.length : gt).indexOf('[');
  if (bracket !== -1) {
    const close = text.indexOf(']>', lt + bracket);
    return close === -1 ? text.length : close + 2;
  }
  return gt === -1 ? text.length : gt + 1;
}

const NO_ATTRS: Record<string, string> = Object.freeze({});

/**
 * Most elements of a feed hold one text or none: they get an array of exactly one, or share this empty
 * one. An array grown from `[]` by push reserves 17 slots, and those spare slots were a third of a big
 * feed's parsed tree (kept in memory, and copied by the garbage collector, until the poll is written).
 */
export const NO_CHILDREN: readonly XmlNode[] = Object.freeze([]);

/**
 * One string per element name: a feed repeats a few names thousands of times, and each tag read gives a
 * fresh copy (kept for as long as the tree). Bounded, so a document of made-up names cannot grow it.
 */
function createInterner(limit = 512): { intern(name: string): string } {
  const known = new Map<string, string>();
  return {
    intern(name) {
      const same = known.get(name);
      if (same !== undefined) return same;
      if (known.size < limit) known.set(name, name);
      return name;
    },
  };
}

function append(parent: XmlElement, node: XmlNode): void {
  if (parent.children === NO_CHILDREN) parent.children = [node];
  else (parent.children as XmlNode[]).push(node);
}

interface StartTag {
  name: string;
  attrs: Record<string, string>;
  selfClosing: boolean;
  end: number;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c > 127;
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Reads `<name attr="v" …>` at `lt`; null when what follows `<` cannot start a tag. */
function readStartTag(text: string, lt: number): StartTag | null {
  let i = lt + 1;
  if (!isNameStart(text.charCodeAt(i))) return null;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 62 /* > */ || c === 47 /* / */ || c === 60 /* < */) break;
    i += 1;
  }
  const name = text.slice(lt + 1, i).toLowerCase();
  // Most elements of a feed have no attributes: they share one empty (frozen) record, not one each.
  let attrs: Record<string, string> = NO_ATTRS;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i += 1;
    if (i >= n) return { name, attrs, selfClosing: false, end: n };
    const c = text.charCodeAt(i);
    if (c === 62) return { name, attrs, selfClosing: false, end: i + 1 };
    if (c === 47 && text.charCodeAt(i + 1) === 62) return { name, attrs, selfClosing: true, end: i + 2 };
    // A "<" where an attribute should be: this was never a tag but a lone "<" in text ("a <b and c</title>").
    if (c === 60) return null;
    const nameStart = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || d === 61 /* = */ || d === 62 || d === 47 || d === 60) break;
      i += 1;
    }
    if (i === nameStart) {
      i += 1; // a stray "/" or similar inside the tag
      continue;
    }
    const attrName = text.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(text.charCodeAt(i))) i += 1;
    if (text.charCodeAt(i) !== 61) {
      if (attrs === NO_ATTRS) attrs = {};
      attrs[attrName] = '';
      continue;
    }
    i += 1;
    while (i < n && isSpace(text.charCodeAt(i))) i += 1;
    const quote = text.charCodeAt(i);
    let value: string;
    if (quote === 34 || quote === 39) {
      const close = text.indexOf(quote === 34 ? '"' : "'", i + 1);
      const end = close === -1 ? n : close;
      value = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < n && !isSpace(text.charCodeAt(i)) && text.charCodeAt(i) !== 62) i += 1;
      value = text.slice(start, i);
    }
    if (attrs === NO_ATTRS) attrs = {};
    attrs[attrName] = value.includes('&') ? decodeEntities(value) : value;
  }
}

/** The prefixes an element declares (`xmlns:p="uri"`), or null when it declares none. */
function namespaceDeclarations(attrs: Record<string, string>): Map<string, string> | null {
  let map: Map<string, string> | null = null;
  for (const key in attrs) {
    if (!key.startsWith('xmlns:')) continue;
    map ??= new Map();
    map.set(key.slice(6), attrs[key]!);
  }
  return map;
}

/** Rewrites `prefix:local` to the canonical prefix of a known namespace; other names stay as written. */
function resolveName(name: string, scopes: readonly { map: Map<string, string> }[]): string {
  const colon = name.indexOf(':');
  if (colon === -1 || scopes.length === 0) return name;
  const prefix = name.slice(0, colon);
  for (let s = scopes.length - 1; s >= 0; s -= 1) {
    const uri = scopes[s]!.map.get(prefix);
    if (uri === undefined) continue;
    const known = KNOWN_NAMESPACES[uri];
    if (known === undefined || known === prefix) return name;
    return known === '' ? name.slice(colon + 1) : `${known}:${name.slice(colon + 1)}`;
  }
  return name;
}
