import { describe, expect, it } from 'vitest';
import { DEFAULT_UTM, trackedLink } from '../../src/articles/tracked-link.js';

const on = { ...DEFAULT_UTM, enabled: true };

describe('trackedLink', () => {
  it('tracks http links as well as https ones', () => {
    expect(trackedLink('http://news.example.com/a', on, 'sport')).toBe('http://news.example.com/a?utm_source=whatsapp&utm_medium=channel&utm_campaign=sport');
  });

  it('leaves a link that is not http(s) as it was', () => {
    expect(trackedLink('ftp://files.example.com/a.pdf', on, 'sport')).toBe('ftp://files.example.com/a.pdf');
    expect(trackedLink('not a url', on, 'sport')).toBe('not a url');
  });

  it('drops empty query pairs and replaces every UTM parameter already there, keeping the others as written', () => {
    expect(trackedLink('https://news.example.com/a?&x=a%20b&&utm_medium=email&UTM_SOURCE=rss', on, 'main')).toBe(
      'https://news.example.com/a?x=a%20b&utm_source=whatsapp&utm_medium=channel&utm_campaign=main',
    );
  });
});
