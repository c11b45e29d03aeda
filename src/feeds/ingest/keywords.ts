/** A feed's keyword filters: plain words or phrases, matched case-insensitively as whole words. */
export interface KeywordFilter {
  include: readonly string[];
  exclude: readonly string[];
}

/** Why an item was filtered out, or null when it passes. */
export function filterVerdict(text: string, filter: KeywordFilter): string | null {
  // Equivalent surviving mutant, not disabled (that would also hide the killed true ones): false, as this is a fast path; with both lists empty the code below returns null too
  if (filter.include.length === 0 && filter.exclude.length === 0) return null;
  const haystack = text.toLowerCase();
  const excluded = filter.exclude.find((word) => containsWord(haystack, word));
  if (excluded !== undefined) return `contains excluded word "${excluded}"`;
  if (filter.include.length > 0 && !filter.include.some((word) => containsWord(haystack, word))) {
    return `contains none of the words ${filter.include.map((w) => `"${w}"`).join(', ')}`;
  }
  return null;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Whether `word` (already lowercase) occurs in `haystack` (lowercase) with no letter or digit right
 * before or after it: "rail" matches "Rail strike" but not "guardrail". Plain indexOf, no regular
 * expression built from user input, so no input can make it slow.
 */
export function containsWord(haystack: string, word: string): boolean {
  if (word.length === 0) return false;
  for (let at = haystack.indexOf(word); at !== -1; at = haystack.indexOf(word, at + 1)) {
    const before = at > 0 ? haystack[at - 1]! : '';
    const after = haystack[at + word.length] ?? '';
    if (!WORD_CHAR.test(before) && !WORD_CHAR.test(after)) return true;
  }
  return false;
}
