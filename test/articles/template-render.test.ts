import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, formatPost, MAX_POST_LENGTH, type Postable } from '../../src/articles/format.js';
import { parseTemplate } from '../../src/articles/template.js';
import { DEFAULT_TEMPLATE, postTime, renderTemplate } from '../../src/articles/template-render.js';

const format = { summaryMaxChars: 300, breakingLabel: '🔴 BREAKING' };
const story = {
  headline: 'Flood waters rise in Kelantan',
  summary: 'Thousands have been moved to relief centres.',
  url: 'https://news.example.com/floods',
  priority: 'normal' as const,
  category: 'Nation',
};

/** Either the text or the FormatError message: the default template must agree with formatPost on both. */
function outcome(run: () => string): { text: string } | { error: string } {
  try {
    return { text: run() };
  } catch (err) {
    if (err instanceof FormatError) return { error: err.message };
    throw err;
  }
}

const graphemeCount = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;
const isWellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// Text that exercises every rule: markup, quote/list starters, controls, bidi, emoji, combining marks, CJK, RTL.
const pieces = ['*', '_', '~', '`', '> ', '- ', '• ', '\n', '\t', '\u0007', '\u202e', '👩🏽‍💻', '🇲🇾', 'e\u0301', '日本語の記事', 'مرحبا', 'தமிழ்', ' ', '  ', '.', '…', 'word', 'Kelantan'];
const text = (max: number) =>
  fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: max }).map((a) => a.join(''));
const articles = fc.record({
  headline: text(40),
  summary: fc.oneof(text(60), text(60).map((s) => s.repeat(80))), // some far over any limit
  url: fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl().map((u) => u + '/' + 'x'.repeat(3_900)), // leaves almost no room
    fc.constantFrom('ftp://example.com/a', 'not a url', ' https://example.com/padded ', 'https://example.com/a b'),
  ),
  priority: fc.constantFrom('normal' as const, 'breaking' as const),
});
const formats = fc.record({
  summaryMaxChars: fc.integer({ min: 1, max: 3_000 }),
  breakingLabel: fc.oneof(fc.constant('🔴 BREAKING'), text(5)),
});

describe('the default template', () => {
  it('renders exactly what formatPost renders, over hundreds of generated articles (errors included)', () => {
    fc.assert(
      fc.property(articles, formats, (article: Postable, options) => {
        const expected = outcome(() => formatPost(article, options));
        const actual = outcome(() => renderTemplate(DEFAULT_TEMPLATE, article, { format: options }));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('renders the familiar post for a plain and a breaking story', () => {
    expect(renderTemplate(DEFAULT_TEMPLATE, story, { format })).toBe(
      '*Flood waters rise in Kelantan*\n\nThousands have been moved to relief centres.\n\nhttps://news.example.com/floods',
    );
    expect(renderTemplate(DEFAULT_TEMPLATE, { ...story, priority: 'breaking', summary: '' }, { format })).toBe(
      '*🔴 BREAKING: Flood waters rise in Kelantan*\n\nhttps://news.example.com/floods',
    );
  });
});

describe('a house template', () => {
  const house = parseTemplate(
    '{{#category}}_{{category}}_ · {{/category}}*{{headline}}*\n{{#summary}}{{summary}}\n{{/summary}}👉 {{link}}\n{{#source}}via {{source}} · {{/source}}{{time}}\n{{^invite}}Follow us!{{/invite}}{{#invite}}Follow us: {{invite}}{{/invite}}',
  );

  it('fills every field and leaves out empty sections', () => {
    const context = { format, source: 'Harian *Metro*', time: postTime(Date.UTC(2026, 11, 1, 10, 30), 'Asia/Kuala_Lumpur'), invite: 'https://whatsapp.com/channel/0029VaX' };
    expect(renderTemplate(house, story, context)).toBe(
      '_Nation_ · *Flood waters rise in Kelantan*\nThousands have been moved to relief centres.\n👉 https://news.example.com/floods\nvia Harian ∗Metro∗ · 18:30\nFollow us: https://whatsapp.com/channel/0029VaX',
    );
    expect(renderTemplate(house, { ...story, category: null, summary: '' }, { format, time: '09:05' })).toBe(
      '*Flood waters rise in Kelantan*\n👉 https://news.example.com/floods\n09:05\nFollow us!',
    );
  });

  it('neutralises markup in every field exactly as formatPost does, so no value can open or close formatting', () => {
    const hostile = { ...story, headline: '*_~`Price* rise_', summary: '> quote *bold* ~x~', category: '- `list`' };
    const out = renderTemplate(house, hostile, { format, source: '_src_', time: '~12:00~' });
    const literal = out.replace(/https:\/\/\S+/g, '');
    // The only markers left are the template's own: _…_ around the category and *…* around the headline.
    expect(literal.match(/[*_~`]/g)).toEqual(['_', '_', '*', '*']);
    expect(out).toContain('_– ˋlistˋ_');
    expect(out).toContain('*∗ˍ∼ˋPrice∗ rise ˍ*'.replace(' ˍ', 'ˍ'));
    expect(out).toContain('› quote ∗bold∗ ∼x∼');
  });

  it('cuts a long summary to fit 4,096 characters, never inside an emoji or a letter of any script', () => {
    const long = '👩🏽‍💻 தமிழ் செய்தி 日本語の記事 مرحبا '.repeat(400);
    const out = renderTemplate(parseTemplate('*{{headline}}*\n{{summary}}\n{{summary}}\n{{link}}'), { ...story, summary: long }, { format: { ...format, summaryMaxChars: 3_000 } });
    expect(out.length).toBeLessThanOrEqual(MAX_POST_LENGTH);
    const summary = out.split('\n')[1]!;
    expect(summary.endsWith('…')).toBe(true);
    expect(isWellFormed(out)).toBe(true);
    expect(long.startsWith(summary.slice(0, -1).trimEnd())).toBe(true); // cut on a boundary of the original
    expect(graphemeCount(summary)).toBeLessThanOrEqual(3_000);
  });

  it('refuses a post that cannot fit whatever the summary, naming the template', () => {
    const big = parseTemplate(`*{{headline}}* ${'x'.repeat(1_990)}`.slice(0, 2_000));
    const url = `https://example.com/${'a'.repeat(2_050)}`;
    const wide = parseTemplate(`{{link}} {{link}} *{{headline}}*`);
    expect(() => renderTemplate(wide, { ...story, url }, { format })).toThrow(/over the 4096 limit.*or the template/);
    expect(renderTemplate(big, story, { format }).length).toBeLessThanOrEqual(MAX_POST_LENGTH);
  });
});

describe('postTime', () => {
  it('is HH:mm in the time zone, 24-hour', () => {
    expect(postTime(Date.UTC(2026, 11, 1, 16, 5), 'Asia/Kuala_Lumpur')).toBe('00:05');
    expect(postTime(Date.UTC(2026, 11, 1, 16, 5), 'UTC')).toBe('16:05');
  });
});

describe('renderTemplate edges', () => {
  const plain = { headline: 'Floods', summary: '', url: 'https://news.example.com/floods', priority: 'normal' as const };

  it('leaves an absent time, source or category out, and trims the invite link in; anything but one https link is no invite', () => {
    const t = parseTemplate('{{headline}}{{#time}} at {{time}}{{/time}}{{#source}} via {{source}}{{/source}}{{#category}} in {{category}}{{/category}}{{#invite}} {{invite}}{{/invite}}');
    expect(renderTemplate(t, plain, { format })).toBe('Floods');
    expect(renderTemplate(t, plain, { format, invite: ' https://whatsapp.com/channel/0029VaX \n' })).toBe('Floods https://whatsapp.com/channel/0029VaX');
    for (const invite of ['http://whatsapp.com/channel/0029VaX', 'https://whatsapp.com/channel/0029 VaX', 'whatsapp.com/channel/0029VaX', null]) {
      expect(renderTemplate(t, plain, { format, invite })).toBe('Floods');
    }
  });

  it('posts the link it is given (a tracked link) in place of the article\'s', () => {
    expect(renderTemplate(DEFAULT_TEMPLATE, plain, { format, link: 'https://news.example.com/floods?utm_source=whatsapp' })).toBe(
      '*Floods*\n\nhttps://news.example.com/floods?utm_source=whatsapp',
    );
  });

  it('a post of exactly 4,096 characters goes out; one more is refused, naming the template only when it is not the default', () => {
    const bare = parseTemplate('{{headline}}');
    expect(renderTemplate(bare, { ...plain, headline: 'h'.repeat(MAX_POST_LENGTH) }, { format })).toHaveLength(MAX_POST_LENGTH);
    expect(() => renderTemplate(bare, { ...plain, headline: 'h'.repeat(MAX_POST_LENGTH + 1) }, { format })).toThrow(
      new FormatError('post would be 4097 characters, over the 4096 limit: shorten the headline or link, or the template'),
    );
    const headline = 'h'.repeat(MAX_POST_LENGTH);
    const length = `*${headline}*\n\n${plain.url}`.length;
    expect(() => renderTemplate(DEFAULT_TEMPLATE, { ...plain, headline }, { format })).toThrow(
      new FormatError(`post would be ${length} characters, over the 4096 limit: shorten the headline or link`),
    );
  });

  it('a summary needs room for more than one character beyond its 2 units of slack: at 1 it is left out, at 2 it is one letter and "…"', () => {
    const t = parseTemplate('{{headline}}{{#summary}} {{summary}}{{/summary}}');
    const summary = 'word '.repeat(20);
    // The post with the summary empty is the headline and a space: room = 4096 - (headline + 1) - 2.
    expect(renderTemplate(t, { ...plain, headline: 'h'.repeat(4_092), summary }, { format })).toBe('h'.repeat(4_092));
    expect(renderTemplate(t, { ...plain, headline: 'h'.repeat(4_091), summary }, { format })).toBe(`${'h'.repeat(4_091)} w…`);
  });

  it('a summary\'s room is measured with the sections that will be there: an inverted summary section or an empty field\'s section costs none, a present one does', () => {
    const long = { ...plain, summary: 'word '.repeat(1_000), category: null };
    const wide = { format: { ...format, summaryMaxChars: 5_000 } };
    const base = renderTemplate(parseTemplate('{{headline}}{{#summary}}\n{{summary}}{{/summary}}\n{{link}}'), long, wide);
    expect(base.length).toBeGreaterThan(MAX_POST_LENGTH - 10);
    const filler = 'n'.repeat(1_000);
    expect(renderTemplate(parseTemplate(`{{headline}}{{#summary}}\n{{summary}}{{/summary}}{{^summary}}${filler}{{/summary}}\n{{link}}`), long, wide)).toBe(base);
    expect(renderTemplate(parseTemplate(`{{headline}}{{#category}}${filler}{{/category}}{{#summary}}\n{{summary}}{{/summary}}\n{{link}}`), long, wide)).toBe(base);
    const withCategory = renderTemplate(parseTemplate(`{{headline}}{{#category}}${filler}{{/category}}{{#summary}}\n{{summary}}{{/summary}}\n{{link}}`), { ...long, category: 'Nation' }, wide);
    expect(withCategory.length).toBeLessThanOrEqual(MAX_POST_LENGTH);
    expect(withCategory.length).toBeGreaterThan(MAX_POST_LENGTH - 10);
    expect(withCategory).toContain(filler);
  });
});
