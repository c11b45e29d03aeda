import { describe, expect, it } from 'vitest';
import { containsWord, filterVerdict } from '../../src/feeds/ingest/keywords.js';

// Only the module under test is imported: a file that fails to load would count as passing under Stryker.
describe('containsWord: whole words only', () => {
  it('matches a word at the very start, the very end, or the whole text', () => {
    expect(containsWord('rail strike', 'rail')).toBe(true);
    expect(containsWord('strike on the rail', 'rail')).toBe(true);
    expect(containsWord('rail', 'rail')).toBe(true);
    expect(containsWord('strike on the rail.', 'rail')).toBe(true);
  });

  it('does not match inside a longer word, before or after, with letters of any script or digits', () => {
    expect(containsWord('railway works', 'rail')).toBe(false);
    expect(containsWord('rail2 line', 'rail')).toBe(false);
    expect(containsWord('2rail line', 'rail')).toBe(false);
    expect(containsWord('café opens', 'caf')).toBe(false);
    expect(containsWord('über rail', 'ber')).toBe(false);
  });

  it('finds a later whole-word occurrence after an earlier one inside a word', () => {
    expect(containsWord('guardrail and rail', 'rail')).toBe(true);
    expect(containsWord('railway, rail', 'rail')).toBe(true);
  });

  it('an empty word matches nothing', () => {
    expect(containsWord('', '')).toBe(false);
    expect(containsWord(' - ', '')).toBe(false);
  });
});

describe('filterVerdict', () => {
  it('exclude words alone: filters a story with one, passes every other', () => {
    expect(filterVerdict('Opinion: the strike', { include: [], exclude: ['opinion'] })).toBe('contains excluded word "opinion"');
    expect(filterVerdict('The strike goes on', { include: [], exclude: ['opinion'] })).toBeNull();
  });

  it('include words alone: passes a story with any of them, filters one with none', () => {
    expect(filterVerdict('Rail strike', { include: ['tram', 'rail'], exclude: [] })).toBeNull();
    expect(filterVerdict('Budget passes', { include: ['tram', 'rail'], exclude: [] })).toBe('contains none of the words "tram", "rail"');
  });

  it('an exclude word wins over an include word, and the first exclude word found is named', () => {
    expect(filterVerdict('Rail opinion, sponsored', { include: ['rail'], exclude: ['sponsored', 'opinion'] })).toBe('contains excluded word "sponsored"');
  });
});
