import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalUrl, isTrackingParam } from '../../src/articles/canonical-url.js';
import { editDistance } from '../../src/articles/edit-distance.js';
import { checkPostLink, cleanLine, cutAtWord, formatPost, FormatError, MAX_POST_LENGTH, neutralizeMarkup } from '../../src/articles/format.js';
import { storyHash, storyPlace } from '../../src/articles/story-hash.js';
import { displaySafe, isInvisible, unsafeCharacterProblem } from '../../src/articles/text-safety.js';

/** The pure article helpers at their edges: exact outputs, boundaries, and the messages an editor reads. */

describe('story key', () => {
  it.each([
    ['https://www.site.com/?p=10', 'site.com/?p=10'],
    ['https://site.com/news/a?from=rss', 'site.com/news/a'],
    ['https://site.com/article.php?id=100', 'site.com/article.php?id=100'],
    ['https://site.com/index.aspx?story=7', 'site.com/index.aspx?story=7'],
    ['https://site.com/a.PHP5?x=1', 'site.com/a.PHP5?x=1'],
    ['https://site.com/news/index.html?x=1', 'site.com/news/index.html?x=1'],
    ['https://site.com/news/a.html?x=1', 'site.com/news/a.html'],
    ['https://site.com/phpinfo?x=1', 'site.com/phpinfo'],
    ['http://WWW.site.com/x', 'site.com/x'],
    ['https://wwwsite.com/x', 'wwwsite.com/x'],
    ['site.com?x=1/y', 'site.com?x=1/y'],
    ['site.com?x=1', 'site.com?x=1'],
    ['https://site.com/index.html/story?x=1', 'site.com/index.html/story'],
    ['https://site.com/news.php/story?x=1', 'site.com/news.php/story'],
    ['https://site.com/show.asp?id=3', 'site.com/show.asp?id=3'],
    ['https://a/b?x=1', 'a/b'],
  ])('the place of %s is %s', (url, place) => {
    expect(storyPlace(url)).toBe(place);
  });

  it('headlines that differ only in case, punctuation or width share a key; another headline or path does not', () => {
    const key = storyHash('Floods, RISE!', 'https://www.site.com/a');
    // The exact key: keys are stored with every article, so a change would stop old and new copies deduping.
    expect(key).toBe('br37ZbKXKCdkyQflZgHAtYaL9CJ');
    expect(storyHash('floods rise', 'https://site.com/a')).toBe(key);
    expect(storyHash('ｆｌｏｏｄｓ rise', 'https://site.com/a')).toBe(key);
    expect(storyHash('floods  rise ', 'https://site.com/a')).toBe(key);
    expect(storyHash('floods rose', 'https://site.com/a')).not.toBe(key);
    expect(storyHash('floods rise', 'https://site.com/b')).not.toBe(key);
    expect(storyHash('floodsrise', 'https://site.com/a')).not.toBe(key);
  });

  it('an ASCII headline (read without Unicode normalisation) gets the key the Unicode rule gives it (property)', () => {
    // The rule as first written, for any text: NFKC, lower case, runs of anything but letters and digits as one space.
    const reference = (headline: string, canonical: string) => {
      const words = headline.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
      return createHash('sha256').update(`${words}\n${storyPlace(canonical)}`).digest('base64url').slice(0, 27);
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'aZ09 _-.,!?&\'"\t\n\x00\x7f~^`'), maxLength: 40 }), (headline) => {
        expect(storyHash(headline, 'https://site.com/a')).toBe(reference(headline, 'https://site.com/a'));
      }),
      { numRuns: 2_000, seed: 20261202 },
    );
    for (const headline of ['Floods RISE 2026', 'Ünïcode Café', 'ｆｕｌｌ width', 'ｆｕｌｌ', 'Привет', 'Ü', 'x\u00a0y']) expect(storyHash(headline, 'https://site.com/a'), headline).toBe(reference(headline, 'https://site.com/a'));
  });
});

describe('canonicalUrl', () => {
  it('folds host case, a trailing dot, the default ports, credentials, fragments and tracking; sorts the rest', () => {
    expect(canonicalUrl(' HTTP://Example.COM.:8080/a/b//?b=2&a=1&a=0&utm_source=x#frag ')).toBe('https://example.com:8080/a/b?a=0&a=1&b=2');
    expect(canonicalUrl('https://u:p@example.com:443/')).toBe('https://example.com/');
    expect(canonicalUrl('http://example.com:80/?utm_source=x')).toBe('https://example.com/');
    expect(canonicalUrl('https://example.com///')).toBe('https://example.com/');
    expect(canonicalUrl('https://example.com/a/?')).toBe('https://example.com/a');
    expect(canonicalUrl('https://example.com/a?z=1&b=2&b=1')).toBe('https://example.com/a?b=1&b=2&z=1');
  });

  it('tracking prefixes match at the start of a name only', () => {
    expect(isTrackingParam('_gac_UA-1')).toBe(true);
    expect(isTrackingParam('x_ga')).toBe(false);
    expect(canonicalUrl('https://example.com/a?_ga=1&id=2&page_ga=3')).toBe('https://example.com/a?id=2&page_ga=3');
  });
});

describe('editDistance', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['abc', 'abc', 0],
    ['ab', 'ba', 2],
    ['timezone', 'timezones', 1],
    ['flaw', 'lawn', 2],
  ])('%j to %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('text safety', () => {
  it('names the first unsafe character with its code point, its name when it has one, and its position in characters', () => {
    expect(unsafeCharacterProblem('headline', '😀a\u0007')).toBe('headline contains the control character U+0007 (BEL) at position 3: remove it');
    expect(unsafeCharacterProblem('summary', 'x\u0085')).toBe('summary contains the control character U+0085 at position 2: remove it');
    // Text made of nothing but unsafe characters (the fast path must not take it for safe text).
    expect(unsafeCharacterProblem('category', '\u001b')).toBe('category contains the control character U+001B (ESC, which starts terminal escape sequences) at position 1: remove it');
    expect(unsafeCharacterProblem('category', '\u202e')).toMatch(/^category contains the text-direction control U\+202E at position 1/);
    expect(unsafeCharacterProblem('s', 'a\u202eb\u0007')).toBe(
      's contains the text-direction control U+202E at position 2, which makes text read differently from what it is: remove it (right-to-left scripts need none)',
    );
    expect(unsafeCharacterProblem('s', '\u001b[2J')).toBe('s contains the control character U+001B (ESC, which starts terminal escape sequences) at position 1: remove it');
    expect(unsafeCharacterProblem('s', 'tab\tline\ncr\r مرحبا \u200f')).toBeNull();
  });

  it.each([
    ['\u0000', 'U+0000 (NUL)'],
    ['\u0008', 'U+0008 (BACKSPACE)'],
    ['\u007f', 'U+007F (DEL)'],
    ['\u009b', 'U+009B (CSI, which starts terminal escape sequences)'],
  ])('names %j', (ch, named) => {
    expect(unsafeCharacterProblem('f', `ab${ch}`)).toBe(`f contains the control character ${named} at position 3: remove it`);
  });

  it('shows control and direction characters instead of letting them act; tab becomes a space, a line feed stays', () => {
    expect(displaySafe('a\tb\nc\rd\u007fe\u0085f\u2066g\u0000')).toBe('a b\nc\u240dd\u2421e⟨U+0085⟩f⟨U+2066⟩g\u2400');
    expect(displaySafe('\u0007\u001b')).toBe('\u2407\u241b');
    const plain = 'nothing to show';
    expect(displaySafe(plain)).toBe(plain);
  });

  it('tells text that shows nothing from text that shows something', () => {
    expect(isInvisible('')).toBe(true);
    expect(isInvisible(' \u200b\u00ad\u3164\u2800 ')).toBe(true);
    expect(isInvisible(' \u200b a')).toBe(false);
    expect(isInvisible('a\u200b')).toBe(false);
  });
});

describe('formatting a post', () => {
  const options = { summaryMaxChars: 200, breakingLabel: '🔴 BREAKING' };

  it('neutralises a quote or list marker only at the start of a line of text', () => {
    expect(neutralizeMarkup('- item')).toBe('\u2013 item');
    expect(neutralizeMarkup('• item')).toBe('\u2013 item');
    expect(neutralizeMarkup('-item')).toBe('-item');
    expect(neutralizeMarkup('a - b')).toBe('a - b');
    expect(neutralizeMarkup('> quote > not')).toBe('\u203a quote > not');
    expect(neutralizeMarkup('*b* _i_ ~s~ `c`')).toBe('\u2217b\u2217 \u02cdi\u02cd \u223cs\u223c \u02cbc\u02cb');
  });

  it('a summary that is a list item or a quote does not become one in the post', () => {
    expect(formatPost({ headline: 'H', summary: '- first point', url: 'https://x.example/a', priority: 'normal' }, options)).toBe('*H*\n\n\u2013 first point\n\nhttps://x.example/a');
    expect(formatPost({ headline: '> H', summary: '', url: 'https://x.example/a', priority: 'normal' }, options)).toBe('*\u203a H*\n\nhttps://x.example/a');
  });

  it('a headline that leaves no room for a summary is posted without one', () => {
    const url = 'https://x.example/a';
    // head (headline + 2) + url + 4 separators + 2: room for the summary is 1 unit, too little for a word and an ellipsis.
    const headline = 'h'.repeat(MAX_POST_LENGTH - 9 - url.length);
    expect(formatPost({ headline, summary: 'More at eleven', url, priority: 'normal' }, options)).toBe(`*${headline}*\n\n${url}`);
  });

  it('a FormatError says so by its name', () => {
    expect(new FormatError('x').name).toBe('FormatError');
  });

  it('cleans a line: controls and runs of whitespace become one space, ends trimmed', () => {
    expect(cleanLine(' a\u0000b\n\n c\u202e d ')).toBe('a b c d');
  });

  it('checks the link and says what to fix', () => {
    expect(checkPostLink('  https://x.example/a  ')).toBe('https://x.example/a');
    expect(() => checkPostLink('not a url')).toThrow('link "not a url" is not a URL: use a full https:// link');
    expect(() => checkPostLink(`x${'y'.repeat(100)}`)).toThrow(`link "x${'y'.repeat(79)}" is not a URL: use a full https:// link`);
    expect(() => checkPostLink('ftp://x.example/a')).toThrow('link must start with http:// or https:// (got ftp:): use the story\'s web address');
    expect(() => checkPostLink('https://x.example/a b')).toThrow('link contains spaces: encode them as %20');
    expect(() => formatPost({ headline: ' \u0000 ', summary: '', url: 'https://x.example/a', priority: 'normal' }, options)).toThrow('headline is empty: give the article a headline');
  });

  it('fits exactly the post limit, and refuses one character more', () => {
    const url = 'https://x.example/a';
    const headlineFor = (total: number) => 'h'.repeat(total - url.length - 4);
    expect(formatPost({ headline: headlineFor(MAX_POST_LENGTH), summary: '', url, priority: 'normal' }, options)).toHaveLength(MAX_POST_LENGTH);
    expect(() => formatPost({ headline: headlineFor(MAX_POST_LENGTH + 1), summary: '', url, priority: 'normal' }, options)).toThrow(
      `post would be ${MAX_POST_LENGTH + 1} characters, over the ${MAX_POST_LENGTH} limit: shorten the headline or link`,
    );
  });

  it('a summary gets the room that is left, cut to fit exactly', () => {
    const url = 'https://x.example/a';
    const headline = 'h'.repeat(MAX_POST_LENGTH - url.length - 6 - 20);
    const text = formatPost({ headline, summary: 'word '.repeat(100), url, priority: 'normal' }, { ...options, summaryMaxChars: 1_000 });
    expect(text.length).toBeLessThanOrEqual(MAX_POST_LENGTH);
    expect(text.split('\n')[2]).toMatch(/^word( word)*…$/);
    expect(text.split('\n')[2]!.length).toBeGreaterThanOrEqual(14);
  });

  it('cuts at a word end when that keeps two thirds of the room, else inside the word', () => {
    expect(cutAtWord('alpha beta gamma delta', 12)).toBe('alpha beta…');
    expect(cutAtWord('alpha beta gamma delta', 22)).toBe('alpha beta gamma delta');
    expect(cutAtWord('alpha beta gamma delta', 21)).toBe('alpha beta gamma…');
    expect(cutAtWord('abcdefghijklmnopqrstuvwxyz word', 12)).toBe('abcdefghijk…');
    expect(cutAtWord('alpha beta gamma delta', 100, 12)).toBe('alpha beta…');
    expect(cutAtWord('alpha, beta', 8)).toBe('alpha…');
  });

  it('cut edges: exactly the unit budget, a word ending at the cut, punctuation after a word, two thirds exactly, trailing separators', () => {
    expect(cutAtWord('alpha beta', 100, 10)).toBe('alpha beta');
    expect(cutAtWord('abcdefghijklmnop', 100, 6)).toBe('abcde…');
    expect(cutAtWord('abcdefghij kl mn', 14)).toBe('abcdefghij kl…');
    expect(cutAtWord('alphabet gamma', 11)).toBe('alphabet…');
    expect(cutAtWord('alphabet) gamma', 12)).toBe('alphabet…');
    expect(cutAtWord('abcdef ghijkl', 10)).toBe('abcdef…');
    expect(cutAtWord('abc, defghijkl', 6)).toBe('abc…');
  });
});
