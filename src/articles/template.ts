/**
 * Post templates: the house style of a channel, as WhatsApp text with named fields.
 *
 *   *{{headline}}*{{#summary}}
 *
 *   {{summary}}{{/summary}}
 *
 *   {{link}}
 *
 * `{{field}}` puts a field in; `{{#field}}…{{/field}}` keeps its content only when the field is not
 * empty, `{{^field}}…{{/field}}` only when it is. Nothing else: no expressions, loops, includes or
 * escapes, so a template can neither run code nor stall. Parsing is one left-to-right scan (indexOf
 * and character tests, no regular expression over the template), and so is rendering.
 *
 * Pure: no I/O. Checked when set (parseTemplate throws TemplateError naming the line and column).
 */

import { editDistance } from './edit-distance.js';
/** The fields a template may use. */
export const TEMPLATE_FIELDS = ['headline', 'summary', 'link', 'category', 'source', 'time', 'invite'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** What each field holds, for help texts and the README. */
// Stryker disable all: nothing reads FIELD_MEANINGS yet (no help text or README uses it), so no change to it can be observed
export const FIELD_MEANINGS: Record<TemplateField, string> = {
  headline: 'the headline (with the breaking label in front for breaking news)',
  summary: 'the summary, cut to fit',
  link: "the story's link (with UTM parameters when tracked links are on)",
  category: "the article's category",
  source: 'the name of the feed it came from (empty for articles queued by hand)',
  time: `the time it is posted, HH:mm in NEWSDESK_TIMEZONE`,
  invite: "the channel's invite link",
};
// Stryker restore all

/** Longest template accepted, in UTF-16 units: it has to leave room for the story in a 4,096-character post. */
export const MAX_TEMPLATE_LENGTH = 2_000;

export type TemplateNode =
  | { kind: 'text'; text: string; /** Where it starts in the source. */ at: number }
  | { kind: 'field'; name: TemplateField }
  | { kind: 'section'; name: TemplateField; inverted: boolean; children: TemplateNode[] };

export interface Template {
  source: string;
  nodes: TemplateNode[];
}

/** Where in the template a problem is (1-based line and column, counted in characters). */
export interface TemplatePosition {
  index: number;
  line: number;
  column: number;
}

/** A template that cannot be used; the message names the place and what to do. */
export class TemplateError extends Error {
  constructor(
    readonly problem: string,
    readonly position: TemplatePosition | null,
  ) {
    super(position ? `${problem} (line ${position.line}, column ${position.column})` : problem);
    this.name = 'TemplateError';
  }
}

const isField = (name: string): name is TemplateField => (TEMPLATE_FIELDS as readonly string[]).includes(name);

/** Parses and checks a template; throws TemplateError for the first problem found. */
export function parseTemplate(source: string): Template {
  const at = positions(source);
  if (source.trim() === '') throw new TemplateError('the template is empty: write the post around {{headline}} and {{link}}', null);
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw new TemplateError(`the template is ${source.length} characters; at most ${MAX_TEMPLATE_LENGTH} leave room for the story`, null);
  }
  checkCharacters(source, at);

  const root: TemplateNode[] = [];
  const open: { name: TemplateField; index: number; children: TemplateNode[] }[] = [];
  let children = root;
  let usesHeadline = false;
  let i = 0;
  while (i < source.length) {
    const start = source.indexOf('{{', i);
    if (start === -1) {
      children.push({ kind: 'text', text: source.slice(i), at: i });
      break;
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty text node (start === i) renders and scans as nothing
    if (start > i) children.push({ kind: 'text', text: source.slice(i, start), at: i });
    const end = source.indexOf('}}', start + 2);
    const nextOpen = source.indexOf('{{', start + 2);
    if (end === -1 || (nextOpen !== -1 && nextOpen < end)) {
      throw new TemplateError('"{{" is not closed with "}}"', at(start));
    }
    const tag = source.slice(start + 2, end).trim();
    const sigil = tag[0] === '#' || tag[0] === '^' || tag[0] === '/' ? tag[0] : '';
    const name = tag.slice(sigil.length).trim();
    if (!isField(name)) {
      const shown = JSON.stringify(name.length > 30 ? `${name.slice(0, 30)}…` : name);
      const near = nearestField(name);
      throw new TemplateError(
        `${shown} is not a field${near ? ` (did you mean {{${sigil}${near}}}?)` : ''}: the fields are ${TEMPLATE_FIELDS.join(', ')}`,
        at(start),
      );
    }
    if (sigil === '#' || sigil === '^') {
      const section: TemplateNode = { kind: 'section', name, inverted: sigil === '^', children: [] };
      children.push(section);
      open.push({ name, index: start, children });
      children = section.children;
    } else if (sigil === '/') {
      const top = open.pop();
      if (!top) throw new TemplateError(`{{/${name}}} closes a section that was never opened: open it with {{#${name}}}`, at(start));
      if (top.name !== name) {
        const where = at(top.index);
        throw new TemplateError(
          `{{/${name}}} closes a section, but the open one is {{#${top.name}}} from line ${where.line}, column ${where.column}: close that one first`,
          at(start),
        );
      }
      children = top.children;
    } else {
      if (name === 'headline') usesHeadline = true;
      children.push({ kind: 'field', name });
    }
    i = end + 2;
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new TemplateError(`the section {{#${unclosed.name}}} is never closed: end it with {{/${unclosed.name}}}`, at(unclosed.index));
  if (!usesHeadline) throw new TemplateError('the template has no {{headline}}: every post needs its headline', null);

  checkMarkup(root, at);
  return { source, nodes: root };
}

// C0 controls other than the line break, DEL, C1 controls, and the bidi embedding/override/isolate
// controls (they make text read differently from how it is stored).
function checkCharacters(source: string, at: (index: number) => TemplatePosition): void {
  // Stryker disable next-line EqualityOperator: one step past the end reads NaN, which is no control character
  for (let i = 0; i < source.length; i += 1) {
    const c = source.charCodeAt(i);
    const control = (c < 0x20 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
    const bidi = (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    if (control || bidi) {
      const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new TemplateError(`the template contains the ${bidi ? 'text-direction control' : 'control character'} ${hex}: remove it`, at(i));
    }
  }
}

/** Field names one or two edits away, for "did you mean". Names are short, so this is cheap. */
function nearestField(name: string): TemplateField | undefined {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a fast path; a name over 20 characters is more than 2 edits from every field
  if (name.length > 20) return undefined;
  const lower = name.toLowerCase();
  let best: { field: TemplateField; d: number } | undefined;
  for (const field of TEMPLATE_FIELDS) {
    const d = editDistance(lower, field);
    if (d <= 2 && (!best || d < best.d)) best = { field, d };
  }
  return best?.field;
}

/** Maps a UTF-16 index to its line and column (columns in code points, as an editor counts). */
function positions(source: string): (index: number) => TemplatePosition {
  return (index) => {
    let line = 1;
    let lineStart = 0;
    // Stryker disable next-line EqualityOperator: positions are asked for tags, markers and controls, never for a line break
    for (let i = 0; i < index; i += 1) {
      if (source.charCodeAt(i) === 0x0a) {
        line += 1;
        lineStart = i + 1;
      }
    }
    let column = 1;
    for (let i = lineStart; i < index; i += 1) {
      const c = source.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) column += 1; // a low surrogate belongs to the character before it
    }
    return { index, line, column };
  };
}

/**
 * WhatsApp markup must pair up in the template's own text, so a field can never end up inside a bold
 * that the template forgot to close: `*`, `_`, `~` and `` ` `` (and ``` blocks) each close what they
 * opened, without crossing (`*a _b* c_`), and what a section opens it closes (a section may be left
 * out). Not markup: a marker inside a word (`follow_us`), a `* ` list bullet at the start of a line, and
 * anything inside a web address or a monospace span. Field values never add markup (see template-render).
 */
function checkMarkup(nodes: TemplateNode[], at: (index: number) => TemplatePosition): void {
  type Open = { marker: string; index: number };
  const stack: Open[] = [];
  let previous = ''; // the character before the current one ('' at the start, BOUNDARY after a tag)

  const fail = (problem: string, index: number): never => {
    throw new TemplateError(problem, at(index));
  };
  const describeOpen = (o: Open) => {
    const p = at(o.index);
    return `"${o.marker}" opened at line ${p.line}, column ${p.column}`;
  };

  function closeMarker(marker: string, index: number, floor: number): void {
    const top = stack[stack.length - 1]!;
    if (top.marker !== marker) {
      // Stryker disable next-line MethodExpression: a marker is on the stack at most once (a second one closes it), so the search order does not matter
      const opener = [...stack].reverse().find((o) => o.marker === marker)!;
      fail(`"${marker}" closes ${describeOpen(opener)} while ${describeOpen(top)} is still open: close "${top.marker}" first`, index);
    }
    if (stack.length - 1 < floor) {
      fail(`"${marker}" inside a section closes ${describeOpen(top)} outside it: open and close markup on the same side of {{#…}} and {{/…}}`, index);
    }
    stack.pop();
  }

  function scanText(text: string, base: number, floor: number): void {
    let i = 0;
    while (i < text.length) {
      const c = text[i]!;
      const mono = stack.at(-1)?.marker;
      if (mono === '`' || mono === '```') {
        // Inside monospace nothing but its own closer is markup.
        const close = text.indexOf(mono, i);
        if (close === -1) {
          // Stryker disable next-line ArithmeticOperator: inside an open monospace span `previous` is not read; closing the span sets it
          previous = text[text.length - 1]!;
          return;
        }
        closeMarker(mono, base + close, floor);
        i = close + mono.length;
        previous = '`';
        continue;
      }
      // Stryker disable next-line ConditionalExpression: a fast path; the startsWith tests alone decide
      if (c === 'h' && (text.startsWith('http://', i) || text.startsWith('https://', i))) {
        // Stryker disable next-line EqualityOperator: one step past the end reads no space and ends the loop the same
        while (i < text.length && !isSpace(text[i]!)) i += 1;
        previous = 'x';
        continue;
      }
      if (c === '`') {
        const marker = text.startsWith('```', i) ? '```' : '`';
        stack.push({ marker, index: base + i });
        i += marker.length;
        // Stryker disable next-line StringLiteral: inside an open monospace span `previous` is not read; closing the span sets it
        previous = '`';
        continue;
      }
      if (c === '*' || c === '_' || c === '~') {
        const next = text[i + 1] ?? '';
        const lineStart = previous === '' || previous === '\n';
        const bullet = c === '*' && lineStart && next === ' ';
        const inWord = isWordChar(previous) && isWordChar(next);
        if (!bullet && !inWord) {
          if (stack.some((o) => o.marker === c)) closeMarker(c, base + i, floor);
          else stack.push({ marker: c, index: base + i });
        }
        previous = c;
        i += 1;
        continue;
      }
      previous = c;
      i += 1;
    }
  }

  function walk(list: TemplateNode[], floor: number): void {
    for (const node of list) {
      if (node.kind === 'text') {
        scanText(node.text, node.at, floor);
      } else if (node.kind === 'field') {
        previous = BOUNDARY; // a field's value is unknown: a marker beside it counts as markup
      } else {
        const inner = stack.length;
        walk(node.children, inner);
        if (stack.length > inner) {
          const o = stack[stack.length - 1]!;
          fail(
            `${describeOpen(o)} is not closed inside its section {{${node.inverted ? '^' : '#'}${node.name}}}: close it before {{/${node.name}}}, since the section may be left out`,
            o.index,
          );
        }
        previous = BOUNDARY;
      }
    }
  }

  walk(nodes, 0);
  const left = stack[stack.length - 1];
  if (left) fail(`${describeOpen(left)} is never closed: add the closing "${left.marker}"`, left.index);
}

/** Stands for a field or section edge: neither a letter nor a line start. */
const BOUNDARY = '\u0001';
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t';
const isWordChar = (c: string) => c !== '' && /[\p{L}\p{N}]/u.test(c);
