import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, formatPost, MAX_POST_LENGTH, type Postable } from '../../src/articles/format.js';
import { parseTemplate, TemplateError } from '../../src/articles/template.js';
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

describe('template checks', () => {
  it.each([
    ['{{headlin}}', /"headlin" is not a field \(did you mean \{\{headline\}\}\?\): the fields are headline, summary, link, category, source, time, invite \(line 1, column 1\)/],
    ['*{{headline}}*\n{{ link }} {{image}}', /"image" is not a field.*\(line 2, column 12\)/],
    ['*{{headline}}* {{link', /"\{\{" is not closed with "\}\}" \(line 1, column 16\)/],
    ['*{{headline}}* {{#summary}}{{summary}}', /the section \{\{#summary\}\} is never closed.*\(line 1, column 16\)/],
    ['*{{headline}}* {{/summary}}', /closes a section that was never opened.*\(line 1, column 16\)/],
    ['{{#summary}}{{#category}}{{/summary}}{{/category}}{{headline}}', /the open one is \{\{#category\}\} from line 1, column 13.*\(line 1, column 26\)/],
    ['*{{headline}}\n{{link}}', /"\*" opened at line 1, column 1 is never closed: add the closing "\*" \(line 1, column 1\)/],
    ['🔴 _{{headline}}*', /"\*" opened at line 1, column 16 is never closed/],
    ['*bold _both* italic_ {{headline}}', /"\*" closes "\*" opened at line 1, column 1 while "_" opened at line 1, column 7 is still open: close "_" first \(line 1, column 12\)/],
    ['{{headline}}{{#summary}}\n_{{summary}}{{/summary}}_', /"_" opened at line 2, column 1 is not closed inside its section \{\{#summary\}\}/],
    ['*{{headline}}{{#summary}}* {{summary}}{{/summary}}', /inside a section closes "\*" opened at line 1, column 1 outside it/],
    ['`{{headline}}', /"`" opened at line 1, column 1 is never closed/],
    ['{{link}}', /no \{\{headline\}\}/],
    ['   ', /the template is empty/],
    ['{{headline}}\u202e', /text-direction control U\+202E: remove it \(line 1, column 13\)/],
    ['{{headline}}\u001b[2J', /control character U\+001B/],
    ['x'.repeat(2_001), /2001 characters; at most 2000/],
  ])('refuses %j with the position', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(TemplateError);
    expect(() => parseTemplate(source)).toThrow(message);
  });

  it.each([
    ['a list bullet', '* {{headline}}\n* {{link}}'],
    ['a marker inside a word or a web address', 'follow_us_now {{headline}} https://example.com/a_b*c~d'],
    ['markup inside monospace', '```*_~ {{headline}}```'],
    ['markup around fields', '*{{headline}}* _{{category}}_ ~{{time}}~ `{{link}}`'],
    ['markup wholly inside a section', '{{headline}}{{#summary}} *{{summary}}*{{/summary}}{{^summary}}_none_{{/summary}}'],
    ['spaces in tags', '{{ headline }} {{# summary }}{{summary}}{{/ summary}}'],
    ['columns counted in characters', '👩🏽‍💻 {{headline}}'],
  ])('accepts %s', (_name, source) => {
    expect(() => parseTemplate(source)).not.toThrow();
  });

  it('columns count characters, not UTF-16 units', () => {
    expect(() => parseTemplate('🇲🇾🇲🇾 {{nope}} {{headline}}')).toThrow(/column 6\)/);
  });

  it('finishes on input built to make a backtracking parser stall', () => {
    for (const source of ['{{'.repeat(1_000), '{{#headline}}'.repeat(150), '*_'.repeat(1_000), `{{headline}}${'{'.repeat(1_980)}`]) {
      expect(() => parseTemplate(source)).toThrow(TemplateError);
    }
  });
});

describe('postTime', () => {
  it('is HH:mm in the time zone, 24-hour', () => {
    expect(postTime(Date.UTC(2026, 11, 1, 16, 5), 'Asia/Kuala_Lumpur')).toBe('00:05');
    expect(postTime(Date.UTC(2026, 11, 1, 16, 5), 'UTC')).toBe('16:05');
  });
});
