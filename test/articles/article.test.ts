import { describe, expect, it } from 'vitest';
import { ARTICLE_STATUSES, articleInputSchema, LIMITS, type ArticleInput } from '../../src/articles/article.js';

const URL1 = 'https://news.example.com/floods';
type Input = Partial<Record<keyof ArticleInput, unknown>>;

/** The parsed input, or every problem as `field: message`. */
function parse(input: Input) {
  const result = articleInputSchema().safeParse(input);
  if (result.success) return { ok: true as const, value: result.data };
  return { ok: false as const, problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}
const problems = (input: Input) => {
  const r = parse(input);
  return r.ok ? [] : r.problems;
};
const long = (n: number, c = 'x') => c.repeat(n);
const URL_AT_LIMIT = `https://e.com/${long(1_986, 'u')}`;

describe('the article input schema', () => {
  // The schema is built on first use: this first test holds every message and limit it is built with.
  it('says which field is wrong and how, holding every field to its limit exactly; fills the defaults', () => {
    expect(parse({ headline: 'Floods', url: URL1, category: ' \n ' })).toEqual({
      ok: true,
      value: { headline: 'Floods', summary: '', url: URL1, priority: 'normal', source: 'cli' },
    });
    expect(parse({ headline: 'Floods', url: URL1, category: 'World', priority: 'breaking' })).toMatchObject({ ok: true, value: { category: 'World', priority: 'breaking' } });
    expect(parse({ headline: 'Floods', url: URL1, priority: 'normal' })).toMatchObject({ ok: true, value: { priority: 'normal' } });
    expect(problems({})).toEqual(['headline: headline is required', 'url: url is required']);
    expect(problems({ headline: 'Floods', url: '   ' })).toEqual(['url: url is required']);
    expect(problems({ headline: ' \n ', url: URL1 })).toEqual(['headline: headline must not be empty']);
    expect(problems({ headline: '\u200b\u2060', url: URL1 })).toEqual([
      'headline: headline has no visible characters (only zero-width or blank ones): write the headline',
    ]);

    expect(URL_AT_LIMIT).toHaveLength(LIMITS.url);
    const atLimit = { headline: long(200), summary: long(5_000), url: URL_AT_LIMIT, imageUrl: URL_AT_LIMIT, category: long(60), source: long(120) };
    expect(problems(atLimit)).toEqual([]);
    expect(problems({ headline: long(201), summary: long(5_001), url: `${URL_AT_LIMIT}u`, imageUrl: `${URL_AT_LIMIT}u`, category: long(61), source: long(121) })).toEqual([
      'headline: headline must be at most 200 characters',
      'summary: summary must be at most 5000 characters',
      'url: url must be at most 2000 characters',
      'imageUrl: imageUrl must be at most 2000 characters',
      'category: category must be at most 60 characters',
      'source: Too big: expected string to have <=120 characters',
    ]);
    // Percent-encoding can take a link over the limit: it is measured again as stored (each é is %C3%A9).
    const encoded = `https://e.com/${long(600, 'é')}`;
    expect(problems({ headline: 'Floods', url: encoded, imageUrl: encoded })).toEqual([
      'url: url must be at most 2000 characters once normalised (percent-encoded)',
      'imageUrl: imageUrl must be at most 2000 characters once normalised (percent-encoded)',
    ]);

    expect(problems({ headline: 'Floods', url: 'ftp://example.com/a', imageUrl: 'javascript:alert(1)' })).toEqual([
      'url: url must be a web link starting with http:// or https://',
      'imageUrl: imageUrl must be a web link starting with http:// or https://',
    ]);
    expect(problems({ headline: 'Floods\u001b[2J', summary: 'Rivers\u202e', url: URL1, category: 'World\u0007' })).toEqual([
      expect.stringMatching(/^headline: headline contains the control character U\+001B/),
      expect.stringMatching(/^summary: summary contains the text-direction control U\+202E/),
      expect.stringMatching(/^category: category contains the control character U\+0007/),
    ]);
    expect(problems({ headline: 'Floods', url: URL1, priority: 'urgent' })).toEqual(['priority: priority must be "normal" or "breaking"']);
    expect(problems({ headline: 'Floods', url: URL1, source: '   ' })).toEqual(['source: Too small: expected string to have >=1 characters']);
    expect(problems({ headline: 'Floods', url: URL1, publishAt: -1 })).toEqual(['publishAt: Too small: expected number to be >=0']);
    expect(problems({ headline: 'Floods', url: URL1, publishAt: 1.5 })).toEqual(['publishAt: Invalid input: expected int, received number']);
  });

  it('lists the statuses and limits the rest of Newsdesk (API schema, feeds, desk) builds on', () => {
    expect(ARTICLE_STATUSES).toEqual(['queued', 'posting', 'posted', 'failed', 'cancelled']);
    expect(LIMITS).toEqual({ headline: 200, summary: 5_000, url: 2_000, category: 60, source: 120 });
  });

  it('fills the defaults of a minimal article and leaves the optional fields out', () => {
    expect(parse({ headline: 'Floods', url: URL1 })).toEqual({
      ok: true,
      value: { headline: 'Floods', summary: '', url: URL1, priority: 'normal', source: 'cli' },
    });
  });

  it('folds a headline and a category onto one line, trims the summary and the source', () => {
    expect(parse({ headline: '  Floods \n\t rise  ', summary: '  Rivers\n rise.  ', url: ` ${URL1} `, category: ' World \n News ', source: '  api  ' })).toEqual({
      ok: true,
      value: { headline: 'Floods rise', summary: 'Rivers\n rise.', url: URL1, category: 'World News', priority: 'normal', source: 'api' },
    });
    // Folded before it is measured: 200 characters once its runs of spaces are one.
    expect(problems({ headline: `${long(100)}     ${long(99)}`, url: URL1 })).toEqual([]);
  });

  it('stores links as they are posted', () => {
    expect(parse({ headline: 'Floods', url: 'https://NEWS.example.com/a b', imageUrl: 'https://IMG.example.com/p.jpg' })).toMatchObject({
      ok: true,
      value: { url: 'https://news.example.com/a%20b', imageUrl: 'https://img.example.com/p.jpg' },
    });
  });

  it('an empty or blank category is no category', () => {
    for (const category of ['', '  \n ']) {
      const r = parse({ headline: 'Floods', url: URL1, category });
      expect(r.ok && !('category' in r.value && r.value.category !== undefined)).toBe(true);
    }
  });

  it('takes breaking news and a publish time', () => {
    expect(parse({ headline: 'Floods', url: URL1, priority: 'breaking', publishAt: 0 })).toMatchObject({ ok: true, value: { priority: 'breaking', publishAt: 0 } });
  });
});
