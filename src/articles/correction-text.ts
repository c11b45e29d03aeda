import { cleanLine, cutAtWord, MAX_POST_LENGTH, neutralizeMarkup } from './format.js';

/** What starts every follow-up correction, so readers and searches find them. */
export const CORRECTION_MARK = '✏️ Correction:';

/**
 * The follow-up post for a correction WhatsApp will not edit in place: it quotes the headline readers
 * saw, then the corrected post as it would be posted now.
 *
 *   ✏️ Correction: "Quake hits Sabah"
 *
 *   *Quake hits Sabah, not Sarawak*
 *   …
 *
 * The quoted headline is neutralised like any field (a `*` in it cannot open bold) and cut (at a word
 * end, never inside an emoji or a surrogate pair) to keep the whole post within MAX_POST_LENGTH; the corrected text is already within it. Pure.
 */
export function correctionFollowUp(previousHeadline: string, correctedText: string): string {
  const room = MAX_POST_LENGTH - correctedText.length - CORRECTION_MARK.length - 6;
  let quoted = neutralizeMarkup(cleanLine(previousHeadline));
  // Cut like a summary (at a word end, never inside a character), ellipsis included; no quote at all without room for one.
  if (quoted.length > room) quoted = room > 1 ? cutAtWord(quoted, room, room) : '';
  const head = quoted ? `${CORRECTION_MARK} “${quoted}”` : CORRECTION_MARK;
  return `${head}\n\n${correctedText}`.slice(0, MAX_POST_LENGTH);
}
