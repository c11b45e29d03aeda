import { describe, expect, it } from 'vitest';
import { checkLink } from '../../src/articles/link.js';

const refused = (typed: string) => {
  const check = checkLink('url', typed);
  return check.ok ? `accepted as ${check.href}` : check.problem;
};
const mixes = (scripts: string, label: string) =>
  `url has a host name that mixes ${scripts} letters in "${label}", the mark of a look-alike of another site: check the link and type the host name in one script`;

// The script table is built on the first non-ASCII host a process checks: this first test reads it whole.
describe('host names in one script', () => {
  it('names the scripts a look-alike label mixes; one script, digits, hyphens and the CJK mixes pass', () => {
    expect(refused('https://news.p\u0430ypal.com/')).toBe(mixes('Latin and Cyrillic', 'p\u0430ypal'));
    expect(refused('https://\u03b1b\u0433.com/')).toBe(mixes('Greek and Latin and Cyrillic', '\u03b1b\u0433'));
    expect(refused('https://한국ひら.com/')).toBe(mixes('Hangul and Hiragana', '한국ひら'));
    expect(refused('https://ㄅか.tw/')).toBe(mixes('Bopomofo and Hiragana', 'ㄅか'));
    expect(refused('https://aᚠ.com/')).toBe(mixes('Latin and Unknown (U+16A0)', 'aᚠ'));
    for (const host of ['пример.рф', 'bücher-24.de', 'ελλάδα.gr', 'abcひらがな.jp', 'abcカタカナ.jp', 'abc漢字ひらカタ.jp', 'abcㄅ漢.tw', 'abc한국漢.kr']) {
      expect(checkLink('url', `https://${host}/`).ok, host).toBe(true);
    }
  });
});

describe('checkLink', () => {
  it('trims the link before anything else, so a trailing line break is no reason to refuse', () => {
    expect(checkLink('url', ' https://example.com/a\n')).toEqual({ ok: true, href: 'https://example.com/a' });
  });

  it('refuses control and text-direction characters, which a URL parser would encode or drop', () => {
    expect(checkLink('url', 'https://example.com/\u202Egpj.exe')).toEqual({
      ok: false,
      problem: 'url contains the text-direction control U+202E at position 21, which makes text read differently from what it is: remove it (right-to-left scripts need none)',
    });
    expect(checkLink('url', 'https://example.com/\u0000')).toMatchObject({ ok: false, problem: expect.stringMatching(/^url contains the control character U\+0000/) });
  });

  it('refuses tabs and line breaks inside a link, naming the field', () => {
    for (const typed of ['https://exa\tmple.com/', 'https://example.com/a\nb', 'https://example.com/a\rb']) {
      expect(checkLink('imageUrl', typed)).toEqual({ ok: false, problem: 'imageUrl contains a tab or line break: a link is one line' });
    }
  });

  it('refuses what is not an http(s) link with a host', () => {
    for (const typed of ['not a link', 'ftp://example.com/a', 'javascript:alert(1)', 'mailto:desk@example.com', 'file:///etc/passwd']) {
      expect(checkLink('url', typed)).toEqual({ ok: false, problem: 'url must be a web link starting with http:// or https://' });
    }
    expect(checkLink('url', 'http://example.com')).toEqual({ ok: true, href: 'http://example.com/' });
  });

  it('refuses an empty user name or password before "@" too, in any letter case and after any number of slashes', () => {
    const problem = 'url must not contain a user name or password before "@" (it can make a link look like another site\'s; this one opens evil.com): remove the part before "@"';
    for (const typed of ['https://:@evil.com/', 'HTTPS://@evil.com/', 'https:///@evil.com/', 'https:@evil.com']) {
      expect([typed, checkLink('url', typed)]).toEqual([typed, { ok: false, problem }]);
    }
    expect(checkLink('url', 'https://example.com/@user/post')).toEqual({ ok: true, href: 'https://example.com/@user/post' });
    expect(checkLink('url', 'https://example.com?to=@evil.com')).toEqual({ ok: true, href: 'https://example.com/?to=@evil.com' });
    expect(checkLink('url', 'https://example.com#@evil.com').ok).toBe(true);
    expect(checkLink('url', 'https://example.com/p@x?to=@evil.com').ok).toBe(true);
    expect(checkLink('url', 'https://desk@example.com/p?to=1').ok).toBe(false);
  });

  it('says which link a backslash would open', () => {
    expect(checkLink('url', 'https://example.com\\a')).toEqual({
      ok: false,
      problem: 'url contains a backslash, which browsers read as "/" (this link would open https://example.com/a): write it with forward slashes',
    });
    expect(checkLink('url', 'https://example.com/p#a\\b')).toEqual({ ok: true, href: 'https://example.com/p#a\\b' });
    // Only before the query or the fragment, whichever comes first.
    expect(checkLink('url', 'https://example.com/p?q=a\\b#f').ok).toBe(true);
    expect(checkLink('url', 'https://example.com/p#f?q=a\\b').ok).toBe(true);
    expect(checkLink('url', 'https://example.com/p?q#f\\b').ok).toBe(true);
    expect(checkLink('url', 'https://example.com/p#a\\b?q=1').ok).toBe(true);
    for (const typed of ['https://example.com/a\\b?q=1#f', 'https://example.com/a\\b#f?q=1', 'https://example.com/a\\b#f', 'https://example.com/a\\', 'https://example.com/a?\\', 'https://example.com/\\#x']) {
      expect(checkLink('url', typed).ok, typed).toBe(typed === 'https://example.com/a?\\');
    }
  });

  it('passes IP addresses', () => {
    expect(checkLink('url', 'http://192.168.0.1:8080/x')).toEqual({ ok: true, href: 'http://192.168.0.1:8080/x' });
    expect(checkLink('url', 'http://[::1]/x')).toEqual({ ok: true, href: 'http://[::1]/x' });
  });
});
