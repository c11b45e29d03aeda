import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { AUTH, article, httpSetup } from './http-setup.js';

describe('GET /api/articles pages past 100', () => {
  it('follows nextCursor to the last page, and offset skips', async () => {
    const t = await httpSetup();
    t.db.transaction(() => {
      for (let i = 1; i <= 230; i += 1) t.ctx.queue.enqueue({ headline: `Story ${i}`, url: `https://news.example.com/${i}` }, t.clock.now() + i);
    })();
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.request(`/api/articles?status=all&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: AUTH });
      expect(res.status).toBe(200);
      ids.push(...(res.body.articles as { id: number }[]).map((a) => a.id));
      cursor = res.body.nextCursor as string | null;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 230 }, (_, i) => 230 - i));

    const skipped = await t.request('/api/articles?status=all&limit=100&offset=200', { headers: AUTH });
    expect(skipped.body).toMatchObject({ nextCursor: null, offset: 200 });
    expect((skipped.body.articles as { id: number }[]).map((a) => a.id)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
  });

  it('refuses a cursor that is not one it gave, or one from another status, with 400', async () => {
    const t = await httpSetup();
    for (let i = 1; i <= 3; i += 1) await t.post(article(i));
    const first = await t.request('/api/articles?status=all&limit=1', { headers: AUTH });
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await t.request(`/api/articles?status=posted&cursor=${first.body.nextCursor}`, { headers: AUTH })).status).toBe(400);
    expect((await t.request('/api/articles?status=all&cursor=bad%20cursor', { headers: AUTH })).status).toBe(400);
    expect((await t.request('/api/articles?status=all&cursor=Zm9vLjEuMQ', { headers: AUTH })).status).toBe(400); // "foo.1.1"
    expect((await t.request('/api/articles?offset=-1', { headers: AUTH })).status).toBe(400);
  });
});

describe('POST /api/articles for a link already known', () => {
  it('answers 200 with the stored article\'s post text, not one built from the request', async () => {
    const t = await httpSetup();
    const first = await t.post(article(7));
    expect(first.status).toBe(201);
    const again = await t.post(article(7, { headline: 'A different headline', summary: 'A different summary', priority: 'breaking' }));
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('existing');
    expect(again.body.text).toBe(formatPost(t.ctx.queue.get(first.body.article.id)!, t.ctx.format));
    expect(again.body.text).toBe(first.body.text);
    expect(again.body.text).not.toContain('A different');
  });
});
