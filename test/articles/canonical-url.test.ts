import { describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../src/articles/canonical-url.js';

describe('canonicalUrl', () => {
  it.each([
    ['https://News.Example.COM/a/b', 'https://news.example.com/a/b'],
    ['https://news.example.com/a/b/', 'https://news.example.com/a/b'],
    ['https://news.example.com/a/b#comments', 'https://news.example.com/a/b'],
    ['http://news.example.com/a/b', 'https://news.example.com/a/b'],
    ['https://news.example.com:443/a/b', 'https://news.example.com/a/b'],
    ['https://news.example.com/a/b?utm_source=wa&utm_medium=social&fbclid=x1&gclid=y', 'https://news.example.com/a/b'],
    ['https://news.example.com/a?id=7&utm_campaign=c&page=2', 'https://news.example.com/a?id=7&page=2'],
    ['https://news.example.com/a?page=2&id=7', 'https://news.example.com/a?id=7&page=2'],
    ['https://news.example.com/', 'https://news.example.com/'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it('keeps www and path case, which can name another page', () => {
    expect(canonicalUrl('https://www.example.com/A')).toBe('https://www.example.com/A');
  });
});
