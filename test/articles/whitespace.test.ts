import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collapseWhitespace } from '../../src/articles/whitespace.js';

/** Every character JavaScript's \s and trim() treat as white space, and a few that are not. */
const SPACES = [' ', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u1680', '\u2000', '\u2005', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
const OTHERS = ['a', 'B', 'é', '\u200b', '-', '.', '語'];

describe('collapseWhitespace', () => {
  it('gives what collapsing every run of white space to one space and trimming gives, for any text', () => {
    const text = fc.array(fc.constantFrom(...SPACES, ...OTHERS), { maxLength: 12 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, (value) => {
        expect(collapseWhitespace(value)).toBe(value.replace(/\s+/g, ' ').trim());
      }),
      { numRuns: 5_000 },
    );
  });

  it('changes text that holds a tab, a no-break space, two spaces, or a space at either end, and keeps text that does not', () => {
    expect(collapseWhitespace('a\tb')).toBe('a b');
    expect(collapseWhitespace('a\u00a0b')).toBe('a b');
    expect(collapseWhitespace('a  b')).toBe('a b');
    expect(collapseWhitespace(' a b')).toBe('a b');
    expect(collapseWhitespace('a b ')).toBe('a b');
    expect(collapseWhitespace('a\u200bb c')).toBe('a\u200bb c'); // a zero-width space is not white space
    expect(collapseWhitespace('')).toBe('');
  });
});
