import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { AUTH, JSON_AUTH, TOKEN, article, httpSetup } from './http-setup.js';

describe('reading and managing articles', () => {
  it('GET /api/articles lists like the list command (status, limit), 400 with every problem for a bad query', async () => {
    const t = await httpSetup();
    for (let n = 1; n <= 4; n += 1) await t.post(article(n));
    await t.request('/api/articles/2/cancel', { method: 'POST', headers: AUTH });

    const queued = await t.request('/api/articles', { headers: AUTH });
    expect(queued.status).toBe(200);
    expect(queued.body.filter).toBe('queued');
    expect(queued.body.articles.map((a: { id: number }) => a.id)).toEqual([4, 3, 1]);
    expect(queued.body.message).toMatch(/^queued \(3\):/);

    const some = await t.request('/api/articles?status=all&limit=2', { headers: AUTH });
    expect(some.body.articles.map((a: { id: number }) => a.id)).toEqual([4, 3]);
    const cancelled = await t.request('/api/articles?status=cancelled', { headers: AUTH });
    expect(cancelled.body.articles).toEqual([expect.objectContaining({ id: 2, status: 'cancelled' })]);

    const bad = await t.request('/api/articles?status=gone&limit=1000', { headers: AUTH });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual([
      { field: 'status', message: 'status must be one of queued, scheduled, posted, failed, cancelled, all' },
      { field: 'limit', message: 'limit must be at most 100' },
    ]);
    expect(t.auditRows().filter((a) => a.command.startsWith('list'))).toHaveLength(3);
  });

  it('GET /api/articles/:id shows the article, its post text and delivery attempts; 404 and 400', async () => {
    const t = await httpSetup();
    await t.post(article(1, { priority: 'breaking' }));
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    t.ctx.queue.markPosted(claim!.delivery.id, 'msg-1', t.clock.now());

    const res = await t.request('/api/articles/1', { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      article: { id: 1, status: 'posted', attempts: 1 },
      text: expect.stringContaining('Flood waters rise'),
      deliveries: [{ attempt: 1, status: 'posted', messageId: 'msg-1', channel: 'main', startedAt: new Date(t.clock.now()).toISOString() }],
    });

    const missing = await t.request('/api/articles/99', { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/There is no article #99/);

    const notNumber = await t.request('/api/articles/abc', { headers: AUTH });
    expect(notNumber.status).toBe(400);
    expect(notNumber.body.problems).toEqual([{ field: 'id', message: 'id must be an article id, a whole number such as 12' }]);
  });

  it('cancel: 200, then 409 (already cancelled), 404 for an unknown id; all audited', async () => {
    const t = await httpSetup();
    await t.post(article(1));
    const ok = await t.request('/api/articles/1/cancel', { method: 'POST', headers: AUTH });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ article: { id: 1, status: 'cancelled' }, message: 'Cancelled #1. It will not be posted.' });
    const again = await t.request('/api/articles/1/cancel', { method: 'POST', headers: JSON_AUTH });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: '#1 cannot be cancelled: it is already cancelled.', article: { id: 1 } });
    const missing = await t.request('/api/articles/5/cancel', { method: 'POST', headers: AUTH });
    expect(missing.status).toBe(404);
    expect(t.auditRows().slice(1).map((a) => [a.command, a.outcome])).toEqual([
      ['cancel 1', 'ok'],
      ['cancel 1', 'rejected'],
      ['cancel 5', 'rejected'],
    ]);
  });

  it('retry: 200 for a failed article, 409 for one that is not failed', async () => {
    const t = await httpSetup();
    await t.post(article(1, { priority: 'breaking' }));
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    t.ctx.queue.markFailed(claim!.delivery.id, 'refused', t.clock.now(), { final: true });
    const ok = await t.request('/api/articles/1/retry', { method: 'POST', headers: AUTH });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ article: { id: 1, status: 'queued', attempts: 0 } });
    const conflict = await t.request('/api/articles/1/retry', { method: 'POST', headers: AUTH });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatch(/only failed articles can be retried/);
    expect((await t.request('/api/articles/8/retry', { method: 'POST', headers: AUTH })).status).toBe(404);
  });

  it('GET /api/status gives the status command\'s data', async () => {
    const t = await httpSetup();
    await t.post(article(1));
    const res = await t.request('/api/status', { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      running: true,
      paused: false,
      counts: { queued: 1, scheduled: 0, posting: 0, posted: 0, failed: 0, cancelled: 0 },
      channel: { state: 'ready' },
      next: { article: { id: 1 } },
      message: expect.stringContaining('Queue: 1 queued'),
    });
  });
});

describe('error boundary', () => {
  it('a handler that throws answers 500 with the request id, is logged at error, and the server lives on', async () => {
    const t = await httpSetup({
      api: (real) => ({
        ...real,
        status: () => {
          throw new Error('disk on fire');
        },
      }),
    });
    const res = await t.request('/api/status', { headers: AUTH });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/^internal error \(request .+\): disk on fire\. Check the Newsdesk logs/);
    expect(t.entries.filter((e) => e.level === 'error').map((e) => e.msg)).toEqual(['HTTP request failed: disk on fire']);
    expect((await t.post(article(1))).status).toBe(201);
  });

  it('a command that fails inside the core is a 500 "error" result, audited', async () => {
    const t = await httpSetup();
    t.ctx.queue.enqueue = () => {
      throw new Error('database is locked');
    };
    const res = await t.post(article(1));
    expect(res.status).toBe(500);
    expect(res.body.error).toMatch(/"enqueue" failed: database is locked\. Nothing was changed; try again/);
    expect(t.auditRows().at(-1)).toMatchObject({ outcome: 'error', door: 'api' });
  });

  it('unknown paths are 404 JSON naming the real endpoints; requests are logged at debug without tokens', async () => {
    const t = await httpSetup();
    const res = await t.request('/api/nope?token=secret-in-url');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/^no such endpoint: GET \/api\/nope\. There are POST\/GET \/api\/articles/);
    await t.request(`/login?token=${TOKEN}`);
    const lines = t.entries.filter((e) => e.msg === 'HTTP request');
    expect(lines.map((l) => l.level)).toEqual(['debug', 'debug']);
    expect(lines[0]!.obj).toMatchObject({ method: 'GET', url: '/api/nope?token=[redacted]', status: 404 });
    expect(JSON.stringify(t.entries)).not.toContain(TOKEN);
    expect(JSON.stringify(t.entries)).not.toContain('secret-in-url');
  });
});
