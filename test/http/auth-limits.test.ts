import { describe, expect, it } from 'vitest';
import { addressKey, createAuthLimiter } from '../../src/http/auth-limiter.js';
import { loggableUrl } from '../../src/http/error-boundary.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { article, httpSetup, TOKEN } from './http-setup.js';

type Setup = Awaited<ReturnType<typeof httpSetup>>;

/** One request through the real server (inject), from `ip`. */
const call = (t: Setup, ip: string, url: string, token?: string, method: 'GET' | 'POST' = 'GET') =>
  t.server.fastify.inject({ method, url, remoteAddress: ip, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('failed authentication is rate-limited per client address', () => {
  it('API: after 20 failures the address gets 429 with Retry-After; right tokens before that are never counted; refusals are logged sampled', async () => {
    const t = await httpSetup();
    const ip = '203.0.113.7';
    for (let i = 0; i < 5; i += 1) expect((await call(t, ip, '/api/status', `wrong-${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 25; i += 1) expect((await call(t, ip, '/api/status', TOKEN)).statusCode).toBe(200);
    for (let i = 0; i < 14; i += 1) expect((await call(t, ip, '/api/status', 'wrong')).statusCode).toBe(401);
    expect((await call(t, ip, '/api/status')).statusCode).toBe(401); // the 20th failure, a missing token, still answered

    const limited = await call(t, ip, '/api/status', 'wrong');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json().error).toMatch(/too many failed attempts.*Retry-After/);
    for (let i = 0; i < 50; i += 1) expect((await call(t, ip, '/api/status', `guess-${i}`)).statusCode).toBe(429);

    // Another address is not affected, and its right token works at once.
    expect((await call(t, '198.51.100.9', '/api/status', TOKEN)).statusCode).toBe(200);
    expect((await t.server.fastify.inject({ method: 'POST', url: '/api/articles', remoteAddress: '198.51.100.9', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: article(1) })).statusCode).toBe(201);

    // 70 refusals, 2 log lines: the first failure of the window and the block.
    const lines = t.entries.filter((e) => /authentication/.test(e.msg));
    expect(lines.map((e) => e.msg)).toEqual([expect.stringMatching(/^authentication failed/), expect.stringMatching(/^too many failed authentication attempts/)]);
    expect(lines[1]!.obj).toMatchObject({ ip, failures: 20 });
    expect(JSON.stringify(t.entries)).not.toContain(TOKEN);
  });

  it('/login shares the count with the API: wrong tokens there use up the same attempts, then 429', async () => {
    const t = await httpSetup();
    const ip = '192.0.2.44';
    for (let i = 0; i < 10; i += 1) expect((await call(t, ip, '/api/status', 'wrong')).statusCode).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await call(t, ip, `/login?token=wrong-${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 5; i += 1) {
      const form = await t.server.fastify.inject({ method: 'POST', url: '/login', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=bad${i}` });
      expect(form.statusCode).toBe(401);
    }
    const page = await call(t, ip, '/login?token=another-guess');
    expect(page.statusCode).toBe(429);
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    expect(page.body).toContain('Too many wrong tokens');
    expect((await call(t, ip, '/login/state')).statusCode).toBe(429);
    expect((await call(t, ip, '/api/status', 'wrong')).statusCode).toBe(429);
    // The form itself (no token sent) still shows.
    expect((await call(t, ip, '/login')).statusCode).toBe(200);
    // Elsewhere the right token opens the page.
    expect((await call(t, '192.0.2.45', `/login?token=${TOKEN}`)).statusCode).toBe(303);
  });

  it('counts IPv6 clients per /64, forgets a window once it is over, and remembers a bounded number of addresses', () => {
    const { log } = createMemoryLogger();
    let now = 0;
    const limiter = createAuthLimiter({ log, maxFailures: 3, windowMs: 60_000, maxAddresses: 100, now: () => now });
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd']) limiter.fail(ip, {});
    expect(limiter.retryAfter('2001:db8:1:2::77')).toBe(60);
    expect(limiter.retryAfter('2001:db8:1:3::1')).toBe(0);
    now += 30_000;
    expect(limiter.retryAfter('2001:db8:1:2::1')).toBe(30);
    now += 30_000;
    expect(limiter.retryAfter('2001:db8:1:2::1')).toBe(0);
    for (let i = 0; i < 1_000; i += 1) limiter.fail(`10.0.${i >> 8}.${i & 255}`, {});
    expect(limiter.size()).toBeLessThanOrEqual(100);
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('request URLs in the log', () => {
  it.each([
    ['/login?token=s3cret', '/login?token=[redacted]'],
    ['/login?%74oken=s3cret', '/login?%74oken=[redacted]'],
    ['/login?x=1&TOKEN=s3cret&y=2', '/login?x=1&TOKEN=[redacted]&y=2'],
    ['/login?x=1;api_key=s3cret', '/login?x=1;api_key=[redacted]'],
    ['/api/articles?status=queued&limit=5', '/api/articles?status=queued&limit=5'],
  ])('%s is logged as %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });
});
