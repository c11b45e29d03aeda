import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerFailureMessage, checkBearer, loginCookieValue, tokensMatch, tokenWeakness, tooManyAttemptsMessage } from '../../src/http/auth.js';

const TOKEN = 'e2e-secret-Vq8Zt3Lm5Xp1Rk7Wn2Jd9Hc4';

describe('bearer token check', () => {
  it('tokensMatch is true only for the same string', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensMatch(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensMatch('', TOKEN)).toBe(false);
    expect(tokensMatch(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });

  it.each([
    [undefined, { ok: false, failure: 'missing' }],
    ['', { ok: false, failure: 'missing' }],
    [`Bearer ${TOKEN}`, { ok: true }],
    [`bearer ${TOKEN}`, { ok: true }],
    [`BEARER\t${TOKEN} \t`, { ok: true }],
    [`Bearer  ${TOKEN}`, { ok: true }],
    [`Bearer ${TOKEN}x`, { ok: false, failure: 'wrong' }],
    [`Bearer ${TOKEN} extra`, { ok: false, failure: 'malformed' }],
    [`Bearer`, { ok: false, failure: 'malformed' }],
    [`Bearer `, { ok: false, failure: 'malformed' }],
    [TOKEN, { ok: false, failure: 'malformed' }],
    [`Basic ${TOKEN}`, { ok: false, failure: 'malformed' }],
    [` Bearer ${TOKEN}`, { ok: false, failure: 'malformed' }],
    [`XBearer ${TOKEN}`, { ok: false, failure: 'malformed' }],
    [`Bearer${TOKEN}`, { ok: false, failure: 'malformed' }],
  ])('%j → %j', (header, expected) => {
    expect(checkBearer(header, TOKEN)).toEqual(expected);
  });

  it('says what to send for each failure', () => {
    expect(bearerFailureMessage('missing')).toBe('no token: send the header "Authorization: Bearer <token>" with the value of NEWSDESK_API_TOKEN');
    expect(bearerFailureMessage('malformed')).toBe('the Authorization header must be "Bearer <token>" (one word after Bearer), with the value of NEWSDESK_API_TOKEN');
    expect(bearerFailureMessage('wrong')).toBe('the token is wrong: use the value of NEWSDESK_API_TOKEN the bot was started with');
    expect(tooManyAttemptsMessage(42)).toBe('too many failed attempts from your address: wait 42 s (Retry-After), then send the value of NEWSDESK_API_TOKEN');
  });

  it('the login cookie is an HMAC of a fixed label under the token, never the token', () => {
    const cookie = loginCookieValue(TOKEN);
    expect(cookie).toBe(createHmac('sha256', TOKEN).update('newsdesk login cookie v1').digest('base64url'));
    expect(cookie).not.toContain(TOKEN);
    expect(loginCookieValue(`${TOKEN}x`)).not.toBe(cookie);
  });
});

describe('tokenWeakness', () => {
  it.each([
    ['16 distinct characters, random', 'k3Q9vX2mZp7LwR4t', null],
    ['64 random hex digits', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', null],
    ['32 hex digits with 10 different ones', '0123456789abcdef'.split('').reverse().join('') + '8d3a9c1e5b7f2046', null],
  ])('accepts %s', (_name, token, expected) => {
    expect(tokenWeakness(token)).toBe(expected);
  });

  it('refuses too few distinct characters, with the count', () => {
    expect(tokenWeakness('k3Q9vX2mZp7LwR4')).toBe('is too weak (only 15 different characters; at least 16 are needed)');
  });

  it('refuses a hex token under 32 digits or with under 10 different digits, with the counts', () => {
    expect(tokenWeakness('9f86d081884c7d659a2feaa0c55ad01')).toBe(
      'is too weak (31 hex digits, 14 different ones; a hex token needs at least 32 digits and 10 different ones)',
    );
    expect(tokenWeakness('0123456780123456780123456780123456')).toBe(
      'is too weak (34 hex digits, 9 different ones; a hex token needs at least 32 digits and 10 different ones)',
    );
    // Exactly 32 digits pass the count; a random 32-digit hex token passes.
    expect(tokenWeakness('9f86d081884c7d659a2feaa0c55ad015')).toBeNull();
  });

  it('refuses low entropy, a repeated pattern, and mostly runs or steps', () => {
    expect(tokenWeakness('abcdefghijklmnopabcdefghijklmnop')).toBe('is too weak (a repeated pattern)');
    expect(tokenWeakness('abcdefghijklmnopqrstuvwxyz')).toBe('is too weak (mostly runs or sequences such as "aaaa" or "1234")');
    // 32 hex digits, 10 different ones, but 23 of them zeros: 55 bits by its own frequencies.
    expect(tokenWeakness(`${'0'.repeat(23)}13579bdf2`)).toBe('is too weak (about 55 bits of entropy; at least 64 are needed)');
  });
});
