import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { tokenWeakness } from '../src/http/auth.js';

function problemsOf(env: NodeJS.ProcessEnv) {
  try {
    loadConfig(env, { needsChannel: false });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('NEWSDESK_ADMINS: only numbers that can match a WhatsApp sender', () => {
  it.each([
    ['0060123456789', /starts with 00.*\+60123456789/],
    ['+0060123456789', /starts with 00/],
    ['0123456789', /starts with 0, a national prefix.*\+60123456789/],
    ['+6012', /too short \(4 digits/],
    ['+6012345678901234', /too long \(16 digits/],
    ['+60 12 345 6789 ext 2', /not an international phone number/],
    ['60+123456789', /not an international phone number/],
  ])('refuses %s at start, saying the international form', (raw, message) => {
    const problems = problemsOf({ NEWSDESK_ADMINS: `+6598765432, ${raw}` });
    expect(problems).toEqual([{ variable: 'NEWSDESK_ADMINS', message: expect.stringMatching(message) }]);
    expect(problems[0]!.message).toMatch(/\+/);
  });

  it('still reads numbers written with +, spaces, dashes, dots and brackets', () => {
    expect(loadConfig({ NEWSDESK_ADMINS: '+60 12-345 6789, (+65) 9876.5432, 14155550123' }, { needsChannel: false }).admins).toEqual([
      '60123456789',
      '6598765432',
      '14155550123',
    ]);
  });
});

describe('NEWSDESK_API_TOKEN', () => {
  it.each([
    ['passwordpassword', /only 7 different characters/],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', /hex digits/],
    ['1234567890abcdef', /hex token needs at least 32 digits/],
    ['abcdefghijklmnopqrstabcdefghijklmnopqrst', /repeated pattern/],
    ['0123456789abcdefghijklmnopqrstuvwxyz', /runs or sequences/],
    ['correct-horse-battery-staple', /different characters/],
  ])('refuses the weak token %s at start and says how to make a good one', (token, why) => {
    const problems = problemsOf({ NEWSDESK_API_TOKEN: token });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.variable).toBe('NEWSDESK_API_TOKEN');
    expect(problems[0]!.message).toMatch(why);
    expect(problems[0]!.message).toContain('openssl rand -hex 32');
  });

  it('accepts what `openssl rand -hex 32` and `-base64 32` print, every time', () => {
    for (let i = 0; i < 500; i += 1) {
      expect(tokenWeakness(randomBytes(32).toString('hex'))).toBeNull();
      expect(tokenWeakness(randomBytes(32).toString('base64'))).toBeNull();
    }
    expect(loadConfig({ NEWSDESK_API_TOKEN: 'test-token-6f1c2a9e0b7d4c3f8a5e' }, { needsChannel: false }).apiToken).toBe('test-token-6f1c2a9e0b7d4c3f8a5e');
  });

  it('never prints the token, not even an invalid one', () => {
    for (const token of ['short-secret-x', 'passwordpassword', 'has spaces in the secret value 9f8e7d6c']) {
      let message = '';
      try {
        loadConfig({ NEWSDESK_API_TOKEN: token }, { needsChannel: false });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/NEWSDESK_API_TOKEN: .*characters, not shown/);
      expect(message).not.toContain(token);
      expect(message).not.toContain(token.slice(0, 8));
    }
  });
});
