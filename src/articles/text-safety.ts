/**
 * Characters that must not reach a terminal, a WhatsApp reply or a post as they are: C0 and C1
 * control characters (ESC starts terminal escapes such as `ESC[2J`, which clears the editor's screen)
 * and the bidirectional embedding, override and isolate controls, which make text read differently from
 * how it is stored (`U+202E` turns `gnp.exe` into `exe.png`). Pure: no I/O.
 */

/** Bidi embeddings and overrides (U+202A–202E) and isolates (U+2066–2069). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
/** C0 controls except tab, line feed and carriage return (ordinary whitespace, folded by the doors), DEL and C1. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/** Either of the above, for the fast path. */
const ANY_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
/** Characters that show nothing: whitespace, format characters (zero-width space, joiners, BOM, soft hyphen…) and blank "letters". */
const INVISIBLE = /^(?:[\s\p{Cf}\u115f\u1160\u3164\uffa0\u2800]|\u034f|\u180b|\u180c|\u180d)*$/u;

const NAMES: Record<number, string> = {
  0x1b: 'ESC, which starts terminal escape sequences',
  0x00: 'NUL',
  0x07: 'BEL',
  0x08: 'BACKSPACE',
  0x7f: 'DEL',
  0x9b: 'CSI, which starts terminal escape sequences',
};

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why `text` must be refused as input (a control character or a bidi control, named with its code
 * point and position), or null when it has none. `field` starts the message.
 */
export function unsafeCharacterProblem(field: string, text: string): string | null {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: a fast path; the loop below finds nothing in such text either
  if (!ANY_UNSAFE.test(text)) return null; // one scan instead of two tests per character: most text has none
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (CONTROLS.test(ch)) {
      return `${field} contains the control character ${hex(cp)}${NAMES[cp] ? ` (${NAMES[cp]})` : ''} at position ${index + 1}: remove it`;
    }
    if (BIDI_CONTROLS.test(ch)) {
      return `${field} contains the text-direction control ${hex(cp)} at position ${index + 1}, which makes text read differently from what it is: remove it (right-to-left scripts need none)`;
    }
    index += 1;
  }
  return null;
}

/** Whether `text` shows nothing at all: only whitespace and zero-width or blank characters. */
export function isInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * `text` made safe to print on a terminal or send as a reply: line breaks kept, every other control
 * character shown as its visible symbol (ESC as ␛, DEL as ␡) or `⟨U+0085⟩`, and bidi controls shown as
 * `⟨U+202E⟩` instead of acting. Text stored before input was checked, and audit entries of refused
 * commands, go out this way.
 */
export function displaySafe(text: string): string {
  // Stryker disable next-line ConditionalExpression: a fast path; replace() with nothing to replace returns the same text
  if (!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(text)) return text;
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, (ch) => {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x09) return ' ';
    // Stryker disable next-line EqualityOperator: U+0020 never reaches here (not in the character class above)
    if (cp < 0x20) return String.fromCodePoint(0x2400 + cp);
    if (cp === 0x7f) return '\u2421';
    return `⟨${hex(cp)}⟩`;
  });
}
