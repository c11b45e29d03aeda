import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusFiles, differences, expectationMisses, type Difference } from './support/corpus.js';

/**
 * The differential test: feedparser's ~800 small test feeds (test/fixtures/feedparser, BSD) read by
 * Newsdesk's parser and by feedsmith. Every disagreement on headline, link or summary text must be
 * listed in disagreements.json with its reason (a library bug, or a difference Newsdesk intends), and
 * every listed one must still occur; the same for each file's own expectation of a correct reader.
 */
const listed = JSON.parse(fs.readFileSync(path.join(CORPUS, 'disagreements.json'), 'utf8')) as {
  reasons: Record<string, string>;
  feedsmith: Record<string, string>;
  expectations: Record<string, string>;
};

function check(found: Map<string, Difference>, accepted: Record<string, string>): void {
  const unexplained = [...found].filter(([key]) => !(key in accepted)).map(([key, d]) => `${key}: ours ${JSON.stringify(d.ours)}, theirs ${JSON.stringify(d.theirs)}`);
  expect(unexplained, 'disagreements not listed in test/fixtures/feedparser/disagreements.json').toEqual([]);
  const stale = Object.keys(accepted).filter((key) => !found.has(key));
  expect(stale, 'listed disagreements that no longer occur (remove them)').toEqual([]);
  for (const reason of Object.values(accepted)) expect(listed.reasons[reason], `reason "${reason}"`).toBeDefined();
}

describe('the feedparser corpus', () => {
  it('is all there, with its licence', () => {
    expect(corpusFiles().length).toBeGreaterThan(800);
    expect(fs.readFileSync(path.join(CORPUS, 'LICENSE'), 'utf8')).toContain('Kurt McKee');
  });

  it('our parser and feedsmith agree on every headline, link and summary, except the listed differences', () => {
    check(differences(), listed.feedsmith);
  });

  it("our parser returns what each file's own expectation says, except the listed differences", () => {
    check(expectationMisses(), listed.expectations);
  });
});
