import { describe, expect, it } from 'vitest';
import { newestFirst } from '../../src/feeds/ingest/ingest.js';

const item = (publishedAt: number | null, position: number) => ({ publishedAt, position });
const T = Date.UTC(2026, 11, 2, 9);

/**
 * The order a poll picks its newest stories in. A sort may call the comparator with its arguments
 * either way round, so each case is checked both ways: the answer must flip with them.
 */
describe('newestFirst', () => {
  const cases: [string, ReturnType<typeof item>, ReturnType<typeof item>][] = [
    ['the newer of two dated stories first', item(T + 60_000, 5), item(T, 1)],
    ['two stories of the same date in document order', item(T, 1), item(T, 2)],
    ['a dated story before an undated one, wherever it stands', item(0, 9), item(null, 1)],
    ['two undated stories in document order', item(null, 3), item(null, 4)],
    ['a story dated before 1970 before an undated one', item(-86_400_000, 7), item(null, 0)],
  ];
  it.each(cases)('%s', (_name, first, second) => {
    expect(Math.sign(newestFirst(first, second))).toBe(-1);
    expect(Math.sign(newestFirst(second, first))).toBe(1);
  });

  it('an item compared with itself is neither before nor after', () => {
    expect(newestFirst(item(T, 1), item(T, 1))).toBe(0);
    expect(newestFirst(item(null, 1), item(null, 1))).toBe(0);
  });
});
