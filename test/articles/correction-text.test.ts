import { describe, expect, it } from 'vitest';
import { CORRECTION_MARK, correctionFollowUp } from '../../src/articles/correction-text.js';
import { MAX_POST_LENGTH } from '../../src/articles/format.js';

/** A corrected post that leaves `room` characters for the quoted headline. */
const leaving = (room: number) => 'x'.repeat(MAX_POST_LENGTH - CORRECTION_MARK.length - 6 - room);

describe('correctionFollowUp', () => {
  it('quotes the headline readers saw, then the corrected post', () => {
    expect(CORRECTION_MARK).toBe('✏️ Correction:');
    expect(correctionFollowUp('Quake hits Sabah', '*Quake hits Sabah, not Sarawak*\n\nThe quake was in Sabah.')).toBe(
      '✏️ Correction: “Quake hits Sabah”\n\n*Quake hits Sabah, not Sarawak*\n\nThe quake was in Sabah.',
    );
  });

  it('quotes the headline on one line, with its markup neutralised', () => {
    const text = correctionFollowUp('A *bold*\nclaim', 'Corrected');
    expect(text.startsWith('✏️ Correction: “A ')).toBe(true);
    expect(text).not.toContain('*bold*');
    expect(text.split('\n')[0]).toMatch(/claim”$/);
  });

  it('keeps the whole post within the limit: the quote is cut with an ellipsis at a word end within the room', () => {
    const headline = 'Bridge closed after the storm';
    expect(correctionFollowUp(headline, leaving(headline.length))).toBe(`${CORRECTION_MARK} “${headline}”\n\n${leaving(headline.length)}`);
    const cut = correctionFollowUp(headline, leaving(10));
    expect(cut).toBe(`${CORRECTION_MARK} “Bridge…”\n\n${leaving(10)}`);
    expect(cut.length).toBeLessThanOrEqual(MAX_POST_LENGTH);
    expect(correctionFollowUp(headline, leaving(2))).toBe(`${CORRECTION_MARK} “B…”\n\n${leaving(2)}`);
  });

  it('never cuts inside an emoji (no lone surrogate in the post)', () => {
    const text = correctionFollowUp('🌊🌊🌊🌊 Flood warning', leaving(4));
    expect(text).toBe(`${CORRECTION_MARK} “🌊…”\n\n${leaving(4)}`);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // a lone surrogate
  });

  it('leaves the quote out when there is no room for it, and never exceeds the limit', () => {
    expect(correctionFollowUp('Bridge closed', leaving(1))).toBe(`${CORRECTION_MARK}\n\n${leaving(1)}`);
    expect(correctionFollowUp('B', leaving(1))).toBe(`${CORRECTION_MARK} “B”\n\n${leaving(1)}`); // a quote that fits exactly stays
    const full = 'y'.repeat(MAX_POST_LENGTH);
    const text = correctionFollowUp('Bridge closed', full);
    expect(text).toHaveLength(MAX_POST_LENGTH);
    expect(text.startsWith(`${CORRECTION_MARK}\n\n`)).toBe(true);
  });
});
