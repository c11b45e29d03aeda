import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { AUTH, JSON_AUTH, TOKEN, article, httpSetup } from './http-setup.js';

const HOUR = 3_600_000;

describe('POST /api/articles', () => {
  it('queues an article through the command core: 201, the article, its post text, a Location, an audit entry', async () => {
    const t = await httpSetup();
    const res = await t.post(article(1, { priority: 'breaking', category: 'Weather', imageUrl: 'https://img.example.com/flood.jpg' }));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.body).toMatchObject({
      outcome: 'created',
      article: {
        id: 1,
        headline: 'Flood waters rise in Kelantan (1)',
        summary: 'Thousands moved to relief centres | more rain expected',
        url: 'https://news.example.com/2026/floods-1',
        priority: 'breaking',
        category: 'Weather',
        imageUrl: 'https://img.example.com/flood.jpg',
        status: 'queued',
        source: 'api',
        timed: false,
      },
      message: expect.stringContaining('Queued #1 ⚡ BREAKING'),
    });
    expect(res.body.text).toBe(formatPost(t.ctx.queue.get(1)!, t.ctx.format));
    expect(res.headers.get('location')).toBe('/api/articles/1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(t.wakes()).toBe(1);
    const audit = t.auditRows();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'api', door: 'api', outcome: 'ok', detail: null });
    expect(audit[0]!.command).toMatch(/^enqueue \{"headline":"Flood waters rise in Kelantan \(1\)"/);
  });

  it('is idempotent: the same link again (tracking parameters and all) is 200 with the same article, nothing added', async () => {
    const t = await httpSetup();
    const first = await t.post(article(7));
    expect(first.status).toBe(201);
    const again = await t.post(article(7, { url: 'https://NEWS.example.com/2026/floods-7/?utm_source=cms#top', headline: 'Edited headline' }));
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('existing');
    expect(again.body.article.id).toBe(first.body.article.id);
    expect(again.body.article.headline).toBe('Flood waters rise in Kelantan (7)');
    expect(again.body.message).toMatch(/Already known as #1/);
    expect(again.headers.get('location')).toBeNull();
    expect(t.ctx.reports.counts(t.clock.now()).queued).toBe(1);
    expect(t.wakes()).toBe(1);
  });

  it('does not undo a cancel or a failure: a CMS retry of that link is 200 with the article as it is', async () => {
    const t = await httpSetup();
    const first = await t.post(article(3));
    await t.request(`/api/articles/${first.body.article.id}/cancel`, { method: 'POST', headers: AUTH });
    const again = await t.post(article(3));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'existing', article: { id: first.body.article.id, status: 'cancelled' } });
    expect(again.body.message).toContain('only an editor can queue it again');

    const second = await t.post(article(4));
    t.db.prepare(`UPDATE articles SET status = 'failed' WHERE id = ?`).run(second.body.article.id);
    t.db.prepare(`UPDATE article_channels SET status = 'failed' WHERE article_id = ?`).run(second.body.article.id); // its channel row too
    const retried = await t.post(article(4));
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ outcome: 'existing', article: { status: 'failed' } });
    expect(retried.body.message).toContain(`POST /api/articles/${second.body.article.id}/retry`);
    expect(t.ctx.reports.counts(t.clock.now()).queued).toBe(0);
  });

  it('schedules with publishAt (ISO with a zone) and refuses a time in the past', async () => {
    const t = await httpSetup();
    const at = new Date(t.clock.now() + 2 * HOUR).toISOString();
    const res = await t.post(article(1, { publishAt: at }));
    expect(res.status).toBe(201);
    expect(res.body.article).toMatchObject({ publishAt: at, timed: true });
    expect(res.body.message).toMatch(/^Scheduled #1: goes out at/);

    const offset = await t.post(article(2, { publishAt: '2026-11-27T08:00:00+08:00' }));
    expect(offset.status).toBe(201);
    expect(offset.body.article.publishAt).toBe('2026-11-27T00:00:00.000Z');

    const past = await t.post(article(3, { publishAt: new Date(t.clock.now() - 1000).toISOString() }));
    expect(past.status).toBe(400);
    expect(past.body.problems).toEqual([{ field: 'publishAt', message: expect.stringContaining('publishAt is not in the future') }]);
  });

  it('reports every problem at once with 400 and writes nothing but a rejected audit entry', async () => {
    const t = await httpSetup();
    const before = t.snapshot();
    const res = await t.post({
      headline: '   ',
      url: 'ftp://news.example.com/x',
      priority: 'urgent',
      publishAt: 'tomorrow',
      summary: 42,
      imageUrl: 'not a link',
      publish_at: '2026-12-01T08:00:00Z',
      Headline: 'x',
    });
    expect(res.status).toBe(400);
    const fields = res.body.problems.map((p: { field: string }) => p.field).sort();
    expect(fields).toEqual(['Headline', 'headline', 'imageUrl', 'priority', 'publishAt', 'publish_at', 'summary', 'url']);
    const byField = Object.fromEntries(res.body.problems.map((p: { field: string; message: string }) => [p.field, p.message]));
    expect(byField).toMatchObject({
      headline: 'headline must not be empty',
      url: 'url must be a web link starting with http:// or https://',
      priority: 'priority must be "normal" or "breaking"',
      publishAt: expect.stringContaining('ISO 8601 date-time with a time zone'),
      summary: 'summary must be a string',
      imageUrl: 'imageUrl must be a web link starting with http:// or https://',
      publish_at: 'unknown field "publish_at": the fields are headline, summary, url, priority, publishAt, category, imageUrl, channels',
      Headline: expect.stringMatching(/^unknown field "Headline": the fields are/),
    });
    expect(res.body.error).toMatch(/^8 problems, nothing was changed: .*Fix them and send the request again$/);
    expect(t.snapshot()).toEqual(before);
    expect(t.auditRows()).toEqual([expect.objectContaining({ door: 'api', outcome: 'rejected' })]);
  });

  it('says what is required when fields are missing, and what the body must be when it is not an object', async () => {
    const t = await httpSetup();
    const empty = await t.post({});
    expect(empty.status).toBe(400);
    expect(empty.body.problems).toEqual([
      { field: 'headline', message: 'headline is required' },
      { field: 'url', message: 'url is required' },
    ]);
    const list = await t.post([article(1)]);
    expect(list.status).toBe(400);
    expect(list.body.problems).toEqual([{ field: '', message: expect.stringContaining('the body must be a JSON object') }]);
    const nothing = await t.request('/api/articles', { method: 'POST', headers: JSON_AUTH });
    expect(nothing.status).toBe(400);
  });

  it('posts the normalised link (WHATWG href: a space percent-encoded, host lower-cased), not the text as typed', async () => {
    const t = await httpSetup();
    const res = await t.post(article(2, { url: 'https://News.Example.com/a b' }));
    expect(res.status).toBe(201);
    expect(res.body.article.url).toBe('https://news.example.com/a%20b');
    expect(res.body.text).toMatch(/\n\nhttps:\/\/news\.example\.com\/a%20b$/);
  });

  it('400 for a body that is not JSON', async () => {
    const t = await httpSetup();
    const res = await t.request('/api/articles', { method: 'POST', headers: JSON_AUTH, body: '{"headline": "x",' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/not valid JSON/);
  });

  it('415 for anything but JSON, including a missing Content-Type', async () => {
    const t = await httpSetup();
    const plain = await t.request('/api/articles', { method: 'POST', headers: { ...AUTH, 'content-type': 'text/plain' }, body: 'queue a | b' });
    expect(plain.status).toBe(415);
    expect(plain.body.error).toMatch(/Content-Type: application\/json.*text\/plain/);
    const form = await t.request('/api/articles', { method: 'POST', headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }, body: 'headline=x' });
    expect(form.status).toBe(415);
    const none = await t.request('/api/articles', { method: 'POST', headers: AUTH });
    expect(none.status).toBe(415);
    expect(none.body.error).toMatch(/Content-Type: application\/json/);
    const withCharset = await t.request('/api/articles', {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(article(1)),
    });
    expect(withCharset.status).toBe(201);
  });

  it('413 over the body limit (64 KiB by default), nothing written', async () => {
    const t = await httpSetup();
    const res = await t.post(article(1, { summary: 'x'.repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/larger than 65536 bytes/);
    expect(t.ctx.reports.counts(t.clock.now()).queued).toBe(0);
    const small = await httpSetup({ bodyLimitBytes: 256 });
    expect((await small.post(article(1, { summary: 'y'.repeat(300) }))).status).toBe(413);
    expect((await small.post(article(2))).status).toBe(201);
  });
});

describe('API token', () => {
  it('401 without a token, with a malformed header and with a wrong token; the right token works', async () => {
    const t = await httpSetup();
    const missing = await t.post(article(1), { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="newsdesk"');
    expect(missing.body.error).toMatch(/Authorization: Bearer <token>/);

    const basic = await t.post(article(1), { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` });
    expect(basic.status).toBe(401);
    expect(basic.body.error).toMatch(/must be "Bearer <token>"/);

    const wrong = await t.post(article(1), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/token is wrong/);
    const prefix = await t.post(article(1), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN.slice(0, 10)}` });
    expect(prefix.status).toBe(401);

    for (const path of ['/api/articles', '/api/articles/1', '/api/status']) {
      expect((await t.request(path)).status).toBe(401);
      expect((await t.request(path, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    }
    expect((await t.request('/api/articles/1/cancel', { method: 'POST' })).status).toBe(401);
    expect(t.snapshot().articles).toEqual([]);
    expect(t.entries.filter((e) => e.msg.startsWith('authentication failed')).map((e) => e.obj.failure)).toEqual(['missing']); // sampled: one line per address per window
    expect(JSON.stringify(t.entries)).not.toContain(TOKEN);

    const right = await t.post(article(1), { 'content-type': 'application/json', authorization: `bearer  ${TOKEN}` });
    expect(right.status).toBe(201);
  });

  it('checks the token before reading the body: a huge body without a token is 401, not 413', async () => {
    const t = await httpSetup();
    const res = await t.post(article(1, { summary: 'x'.repeat(100 * 1024) }), { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
  });

  it('without NEWSDESK_API_TOKEN the API is off: 503 saying how to turn it on', async () => {
    const t = await httpSetup({ token: undefined });
    for (const res of [await t.post(article(1)), await t.request('/api/status', { headers: AUTH })]) {
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/NEWSDESK_API_TOKEN is not set: set it to a long random string/);
    }
    expect(t.snapshot().articles).toEqual([]);
  });
});
