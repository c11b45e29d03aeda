import { describe, expect, it } from 'vitest';
import { tokenWeakness } from '../../src/http/auth.js';
import { httpSetup, TOKEN } from './http-setup.js';

/**
 * The edges of the API token rules: where "a repeated pattern" and "mostly runs or steps" start, and
 * what a refused API request leaves in the log.
 */

// 16 pairs of neighbouring letters ("ab", "de", ...): one step inside each pair, none between them.
const PAIRS = ['ab', 'de', 'gh', 'jk', 'mn', 'pq', 'st', 'wx', 'AB', 'DE', 'GH', 'JK', 'MN', 'PQ', 'ST', 'WX'].join('');

describe('tokenWeakness at its edges', () => {
  it('a token that repeats itself except in one place is not a repeated pattern', () => {
    // '#' + A + '%' + A: every character from index 18 on equals the one 17 before, but index 17 does not.
    const a = 'k3Q9vX2mZp7LwR4t';
    expect(tokenWeakness(`#${a}%${a}`)).toBeNull();
    // The same shape with the same character in both places is the pattern.
    expect(tokenWeakness(`#${a}#${a}`)).toBe('is too weak (a repeated pattern)');
  });

  it('steps in exactly half of the gaps between characters pass; one more than half is refused', () => {
    // 33 characters, 32 gaps, 16 steps: half.
    expect(tokenWeakness(`${PAIRS}#`)).toBeNull();
    // 32 characters, 31 gaps, 16 steps: more than half.
    expect(tokenWeakness(PAIRS)).toBe('is too weak (mostly runs or sequences such as "aaaa" or "1234")');
  });
});

describe('a refused API request', () => {
  it('is logged with the door, the method, the route and why, and answered with the bearer challenge', async () => {
    const t = await httpSetup();
    const res = await t.server.fastify.inject({ method: 'POST', url: '/api/articles/7/cancel', remoteAddress: '203.0.113.50', headers: { authorization: 'Bearer nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="newsdesk"');
    expect(res.json()).toEqual({ error: 'the token is wrong: use the value of NEWSDESK_API_TOKEN the bot was started with' });
    const logged = t.entries.filter((e) => e.msg.startsWith('authentication failed'));
    expect(logged.map((e) => e.obj)).toEqual([{ ip: '203.0.113.50', door: 'api', method: 'POST', path: '/api/articles/:id/cancel', failure: 'wrong' }]);
    expect(JSON.stringify(t.entries)).not.toContain(TOKEN);
  });

  it('without a token configured, every API route answers 503 with how to turn it on, and nothing is counted', async () => {
    const t = await httpSetup({ token: undefined });
    for (let i = 0; i < 25; i += 1) {
      const res = await t.server.fastify.inject({ method: 'GET', url: '/api/status', remoteAddress: '203.0.113.51' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error:
          'the HTTP API is off because NEWSDESK_API_TOKEN is not set: set it to a long random string (e.g. the output of "openssl rand -hex 32") and restart Newsdesk',
      });
    }
    expect(t.entries.filter((e) => /authentication/.test(e.msg))).toEqual([]);
  });
});
