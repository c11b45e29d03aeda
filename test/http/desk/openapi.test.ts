import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../../src/articles/format.js';
import { AUTH, JSON_AUTH, article, httpSetup } from '../http-setup.js';

/**
 * The API and /api/openapi.json agree: every real answer of every route (status code and body) is
 * checked against the document the server itself serves, and a schema-driven fuzzer finds that every
 * body the document's request schema refuses, the API refuses with 400 too.
 */
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
};
type Setup = Awaited<ReturnType<typeof httpSetup>>;

/** Every route the server has, from Fastify's route tree: `[{ path: '/api/articles/{id}', methods: ['GET'] }]`. */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│├└─\s]*)(\/\S*)(?: \(([^)]+)\))?/u.exec(line);
    if (!m) continue;
    const depth = Math.round(m[1]!.length / 4);
    stack.length = depth;
    stack[depth] = m[2]!;
    if (m[3]) routes.push({ path: stack.join('').replace(/:(\w+)/g, '{$1}'), methods: m[3].split(', ').filter((x) => x !== 'HEAD') });
  }
  return routes;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

async function conformance(t: Setup) {
  const served = await t.request('/api/openapi.json');
  expect(served.status).toBe(200);
  const doc = served.body as Doc;
  expect(doc.openapi).toMatch(/^3\.1\./);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc as object, 'openapi.json');
  const cache = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = cache.get(ref);
    if (!v) cache.set(ref, (v = ajv.compile({ $ref: `openapi.json#/${ref}` })));
    return v;
  };
  const seen = new Set<string>();

  /** Sends a request and checks its answer against the document for `path` (the template) and `method`. */
  async function check(method: 'get' | 'post' | 'patch' | 'delete', template: string, path: string, init: RequestInit = {}) {
    const res = await t.request(path, { method: method.toUpperCase(), ...init });
    const operation = doc.paths[template]?.[method];
    expect(operation, `${method} ${template} is in the document`).toBeDefined();
    const documented = operation!.responses[String(res.status)];
    expect(documented, `${method.toUpperCase()} ${path} answered ${res.status}, which the document does not list`).toBeDefined();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const validate = validator(pointer('paths', template, method, 'responses', String(res.status), 'content', 'application/json', 'schema'));
    expect(validate(res.body), `${method.toUpperCase()} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    seen.add(`${method} ${template} ${res.status}`);
    return res;
  }
  const requestBodyValid = (body: unknown) => validator(pointer('paths', '/api/articles', 'post', 'requestBody', 'content', 'application/json', 'schema'))(body);
  return { doc, check, seen, requestBodyValid };
}

describe('OpenAPI document', () => {
  it('describes every answer of every /api route: codes and bodies', async () => {
    const t = await httpSetup();
    const { doc, check, seen, requestBodyValid } = await conformance(t);
    const json = (body: unknown) => ({ headers: JSON_AUTH, body: JSON.stringify(body) });

    expect(requestBodyValid(article(1))).toBe(true);
    await check('post', '/api/articles', '/api/articles', json(article(1)));
    await check('post', '/api/articles', '/api/articles', json(article(1)));
    await check('post', '/api/articles', '/api/articles', json({ headline: '', url: 'ftp://x', extra: 1 }));
    await check('post', '/api/articles', '/api/articles', { headers: { ...AUTH, 'content-type': 'text/plain' }, body: 'hello' });
    await check('post', '/api/articles', '/api/articles', json({ ...article(2), summary: 'x'.repeat(70_000) }));
    await check('post', '/api/articles', '/api/articles', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(article(3)) });
    await check('post', '/api/articles', '/api/articles', { headers: JSON_AUTH, body: '{"headline": ' });

    await check('get', '/api/articles', '/api/articles?status=all&limit=5', { headers: AUTH });
    await check('get', '/api/articles', '/api/articles?status=nope', { headers: AUTH });
    await check('get', '/api/articles', '/api/articles', { headers: { authorization: 'Bearer wrong' } });

    await check('get', '/api/articles/{id}', '/api/articles/1', { headers: AUTH });
    await check('get', '/api/articles/{id}', '/api/articles/99', { headers: AUTH });
    await check('get', '/api/articles/{id}', '/api/articles/abc', { headers: AUTH });

    await t.post(article(4));
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    t.ctx.queue.markFailed(claim!.delivery.id, 'refused', t.clock.now(), { final: true });
    await check('post', '/api/articles/{id}/retry', `/api/articles/${claim!.article.id}/retry`, { headers: AUTH });
    await check('post', '/api/articles/{id}/retry', `/api/articles/${claim!.article.id}/retry`, { headers: AUTH });
    await check('post', '/api/articles/{id}/retry', '/api/articles/99/retry', { headers: AUTH });
    await check('post', '/api/articles/{id}/retry', '/api/articles/x/retry', { headers: AUTH });
    await check('post', '/api/articles/{id}/cancel', '/api/articles/1/cancel', { headers: AUTH });
    await check('post', '/api/articles/{id}/cancel', '/api/articles/1/cancel', { headers: AUTH });
    await check('post', '/api/articles/{id}/cancel', '/api/articles/99/cancel', { headers: AUTH });
    await check('post', '/api/articles/{id}/cancel', '/api/articles/99/cancel', {});

    await t.post(article(5));
    const posted = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    t.ctx.queue.markPosted(posted!.delivery.id, 'fake-msg-5', t.clock.now());
    const correction = JSON.stringify({ headline: 'Corrected headline', summary: 'Fixed', url: 'https://news.example.com/5' });
    await check('post', '/api/articles/{id}/correct', `/api/articles/${posted!.article.id}/correct`, { headers: JSON_AUTH, body: correction });
    await check('post', '/api/articles/{id}/correct', '/api/articles/1/correct', { headers: JSON_AUTH, body: correction });
    await check('post', '/api/articles/{id}/correct', '/api/articles/99/correct', { headers: JSON_AUTH, body: correction });
    await check('post', '/api/articles/{id}/correct', `/api/articles/${posted!.article.id}/correct`, { headers: JSON_AUTH, body: JSON.stringify({ headline: '' }) });
    await check('post', '/api/articles/{id}/correct', `/api/articles/${posted!.article.id}/correct`, { headers: AUTH, body: correction });

    await check('get', '/api/status', '/api/status', { headers: AUTH });
    await check('get', '/api/status', '/api/status', {});

    const sport = JSON.stringify({ target: '120363000000000777@newsletter', name: 'sport', categories: ['Sport'], digest: '08:00', top: 3 });
    await check('get', '/api/channels', '/api/channels', { headers: AUTH });
    await check('post', '/api/channels', '/api/channels', { headers: JSON_AUTH, body: sport });
    await check('post', '/api/channels', '/api/channels', { headers: JSON_AUTH, body: sport });
    await check('post', '/api/channels', '/api/channels', { headers: JSON_AUTH, body: JSON.stringify({ target: 'x', name: 'Bad name' }) });
    await check('post', '/api/channels', '/api/channels', { headers: AUTH, body: sport });
    await check('patch', '/api/channels/{name}', '/api/channels/sport', { headers: JSON_AUTH, body: JSON.stringify({ paused: true, gap: '5m' }) });
    await check('patch', '/api/channels/{name}', '/api/channels/ghost', { headers: JSON_AUTH, body: JSON.stringify({ paused: true }) });
    await check('patch', '/api/channels/{name}', '/api/channels/sport', { headers: JSON_AUTH, body: JSON.stringify({ mode: 'often' }) });
    await check('patch', '/api/channels/{name}', '/api/channels/sport', { headers: AUTH, body: '{}' });
    t.ctx.queue.enqueue({ headline: 'For sport', url: 'https://news.example.com/for-sport' }, t.clock.now(), { channels: ['sport'] });
    await check('delete', '/api/channels/{name}', '/api/channels/sport', { headers: AUTH });
    await check('delete', '/api/channels/{name}', '/api/channels/sport?force=maybe', { headers: AUTH });
    await check('delete', '/api/channels/{name}', '/api/channels/sport?force=true', { headers: AUTH });
    await check('delete', '/api/channels/{name}', '/api/channels/sport', { headers: AUTH });

    // Every /api route the server has is in the document, and every path and method of the document was exercised.
    const routes = routesOf(t.server.fastify.printRoutes({ commonPrefix: false })).filter((r) => r.path.startsWith('/api/') && r.path !== '/api/openapi.json');
    expect(routes.flatMap((r) => r.methods)).toHaveLength(Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0));
    for (const route of routes) for (const method of route.methods) expect(doc.paths[route.path]?.[method.toLowerCase()], `${method} ${route.path} is documented`).toBeDefined();
    for (const [path, methods] of Object.entries(doc.paths)) for (const method of Object.keys(methods)) expect([...seen].some((s) => s.startsWith(`${method} ${path} `)), `${method} ${path}`).toBe(true);
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'post /api/articles 201',
        'post /api/articles 200',
        'post /api/articles 400',
        'post /api/articles 401',
        'post /api/articles 413',
        'post /api/articles 415',
        'get /api/articles/{id} 404',
        'post /api/articles/{id}/cancel 409',
        'post /api/articles/{id}/retry 200',
        'post /api/articles/{id}/correct 200',
        'post /api/articles/{id}/correct 400',
        'post /api/articles/{id}/correct 404',
        'post /api/articles/{id}/correct 409',
        'post /api/articles/{id}/correct 415',
        'post /api/channels 201',
        'post /api/channels 409',
        'post /api/channels 400',
        'patch /api/channels/{name} 404',
        'delete /api/channels/{name} 409',
        'delete /api/channels/{name} 200',
        'delete /api/channels/{name} 404',
      ]),
    );
  });

  it('documents the answers of a server without a token (503) and of a failing core (500)', async () => {
    const off = await httpSetup({ token: undefined });
    const offCheck = await conformance(off);
    await offCheck.check('get', '/api/status', '/api/status', { headers: AUTH });
    await offCheck.check('post', '/api/articles', '/api/articles', { headers: JSON_AUTH, body: JSON.stringify(article(1)) });

    const broken = await httpSetup({
      api: (real) => ({
        ...real,
        status: async () => {
          throw new Error('the database is on fire');
        },
      }),
    });
    const brokenCheck = await conformance(broken);
    await brokenCheck.check('get', '/api/status', '/api/status', { headers: AUTH });
    expect(brokenCheck.seen.has('get /api/status 500')).toBe(true);
  });

  it('agrees with the API on bodies a fuzzer makes: what the schema refuses, the API refuses with 400', async () => {
    const t = await httpSetup();
    const { check, requestBodyValid } = await conformance(t);
    let n = 0;
    const field = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
    const body = fc.oneof(
      fc.record(
        {
          headline: field,
          summary: field,
          url: fc.oneof(field, fc.constantFrom('https://news.example.com/a', 'http://x.example/b?c=1')),
          priority: fc.oneof(field, fc.constantFrom('normal', 'breaking')),
          publishAt: fc.oneof(field, fc.constantFrom('2030-01-01T00:00:00Z', '2026-11-26T13:00:00+08:00')),
          category: field,
          imageUrl: field,
          typo_field: field,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        n += 1;
        if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { url?: unknown }).url === 'string') {
          (value as { url: string }).url += `#${n}`; // a fresh link each run, so "already known" does not hide a refusal
        }
        const res = await check('post', '/api/articles', '/api/articles', { headers: JSON_AUTH, body: JSON.stringify(value) });
        if (!requestBodyValid(value)) expect(res.status, JSON.stringify(value)).toBe(400);
      }),
      { numRuns: 60, seed: 14 },
    );
  });
});
