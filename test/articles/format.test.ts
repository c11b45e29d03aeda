import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cutAtWord, formatPost, FormatError, MAX_POST_LENGTH, type Postable } from '../../src/articles/format.js';

const options = { summaryMaxChars: 120, breakingLabel: '🔴 BREAKING' };
const article = (over: Partial<Postable> = {}): Postable => ({
  headline: 'Flood waters rise in Kelantan',
  summary: 'Thousands have been moved to relief centres as rivers burst their banks overnight.',
  url: 'https://news.example.com/floods',
  priority: 'normal',
  ...over,
});
const graphemeCount = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;
const isWellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('formatPost', () => {
  it('puts a bold headline, the summary and the link on its own line', () => {
    expect(formatPost(article(), options)).toBe(
      '*Flood waters rise in Kelantan*\n\nThousands have been moved to relief centres as rivers burst their banks overnight.\n\nhttps://news.example.com/floods',
    );
  });

  it('marks breaking news inside the bold headline', () => {
    expect(formatPost(article({ priority: 'breaking' }), options).split('\n')[0]).toBe('*🔴 BREAKING: Flood waters rise in Kelantan*');
  });

  it('leaves out an empty summary', () => {
    expect(formatPost(article({ summary: '   ' }), options)).toBe('*Flood waters rise in Kelantan*\n\nhttps://news.example.com/floods');
  });

  it('neutralises markup characters so they cannot break the bold or add formatting', () => {
    const text = formatPost(article({ headline: 'Price *rise* of _10%_ ~now~ `code`', summary: '> quoted\n- listed *bold*' }), options);
    const [head, , summary] = text.split('\n');
    expect(head).toMatch(/^\*[^*]+\*$/); // exactly one pair of asterisks: ours
    expect(head).not.toMatch(/[_~`]/);
    // Folded onto one line, only the start of the summary can make a quote or a list: each marker on its own.
    expect(summary).toBe('\u203a quoted - listed \u2217bold\u2217');
    expect(summary).not.toContain('*');
  });

  it.each([
    ['> quoted', '\u203a quoted'],
    ['>quoted', '\u203aquoted'],
    ['- listed', '\u2013 listed'],
    ['• bullet', '\u2013 bullet'],
    ['  - indented then folded', '\u2013 indented then folded'],
    ['-5 degrees overnight', '-5 degrees overnight'],
    ['a - b > c', 'a - b > c'],
  ])('a summary starting %j cannot become a quote or a list: %j', (raw, expected) => {
    const summary = formatPost(article({ summary: raw }), options).split('\n')[2];
    expect(summary).toBe(expected);
  });

  it('folds newlines and control characters in headline and summary into single spaces', () => {
    const text = formatPost(article({ headline: 'Line one\nline\ttwo\u0007', summary: 'a\r\n\r\nb' }), options);
    expect(text.split('\n')[0]).toBe('*Line one line two*');
    expect(text.split('\n')[2]).toBe('a b');
  });

  it('cuts a long summary at a word boundary with an ellipsis', () => {
    const summary = 'word '.repeat(100).trim();
    const cut = formatPost(article({ summary }), options).split('\n')[2]!;
    expect(cut.endsWith('word…')).toBe(true);
    expect(graphemeCount(cut)).toBeLessThanOrEqual(120);
  });

  it.each([
    ['Malay', 'Banjir besar melanda beberapa daerah di Kelantan dan Terengganu menyebabkan ribuan penduduk dipindahkan ke pusat pemindahan sementara. '.repeat(3)],
    ['Chinese', '吉兰丹和登嘉楼多个地区发生严重水灾，数千名居民被疏散到临时疏散中心。当局表示，水位预计将继续上涨。'.repeat(4)],
    ['Tamil', 'கிளந்தான் மற்றும் திரெங்கானுவில் பல மாவட்டங்களில் கடும் வெள்ளம் ஏற்பட்டுள்ளது, ஆயிரக்கணக்கான மக்கள் வெளியேற்றப்பட்டனர். '.repeat(3)],
    ['Arabic', 'اجتاحت فيضانات شديدة عدة مناطق في كلنتن وترينجانو مما أدى إلى إجلاء آلاف السكان إلى مراكز الإيواء المؤقتة. '.repeat(3)],
    ['emoji', '🌊🏠👨‍👩‍👧‍👦🇲🇾 '.repeat(60)],
  ])('never cuts %s text mid-character', (_name, summary) => {
    const cut = formatPost(article({ summary }), options).split('\n')[2]!;
    expect(cut.endsWith('…')).toBe(true);
    expect(graphemeCount(cut)).toBeLessThanOrEqual(120);
    expect(isWellFormed(cut)).toBe(true);
    // What was kept is a prefix of the original, cut where a grapheme ends.
    const kept = cut.slice(0, -1);
    expect(summary.startsWith(kept)).toBe(true);
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(summary)].map((s) => s.index);
    expect(graphemes).toContain(kept.length);
  });

  it('keeps family emoji and flags whole at the cut', () => {
    const cut = cutAtWord('👨‍👩‍👧‍👦'.repeat(10), 4);
    expect(cut).toBe('👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦…');
  });

  it('rejects an empty headline and non-http links with a message that says what to do', () => {
    expect(() => formatPost(article({ headline: ' \n ' }), options)).toThrow(FormatError);
    expect(() => formatPost(article({ headline: ' ' }), options)).toThrow(/headline is empty/);
    expect(() => formatPost(article({ url: 'javascript:alert(1)' }), options)).toThrow(/http:\/\/ or https:\/\//);
    expect(() => formatPost(article({ url: 'ftp://example.com/x' }), options)).toThrow(FormatError);
    expect(() => formatPost(article({ url: 'not a link' }), options)).toThrow(/not a URL/);
  });

  it('always fits the post limit and never throws for valid-looking input (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }).filter((s) => s.trim().length > 0 && /\S/u.test(s.replace(/[\u0000-\u001f\u007f-\u009f\u202d\u202e]/g, ''))),
        fc.string({ maxLength: 6000, unit: 'grapheme' }),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.constantFrom('normal' as const, 'breaking' as const),
        fc.integer({ min: 20, max: 3000 }),
        (headline, summary, url, priority, summaryMaxChars) => {
          const text = formatPost({ headline, summary, url, priority }, { summaryMaxChars, breakingLabel: '🔴 BREAKING' });
          expect(text.length).toBeLessThanOrEqual(MAX_POST_LENGTH);
          expect(isWellFormed(text)).toBe(true);
          expect(text.endsWith(url)).toBe(true);
          expect(text.startsWith('*')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
