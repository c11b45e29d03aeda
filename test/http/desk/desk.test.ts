import { describe, expect, it } from 'vitest';
import { createMemorySessionStore } from '../../../src/http/desk/session-store.js';
import { openDatabase } from '../../../src/store/open-database.js';
import { deskClient, deskSetup, TOKEN } from './desk-setup.js';

describe('desk: sign-in and sessions', () => {
  it('signs in with the token into an HttpOnly, SameSite=Strict session cookie that idles out after 12 h', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    const form = await c.get('/sign-in');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<label for="token">Token<\/label>/);
    expect(form.text).toMatch(/<button type="submit">Sign in<\/button>/);

    const wrong = await c.post('/sign-in', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That token is wrong');

    const ok = await c.post('/sign-in', { token: TOKEN, next: '/queue' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/queue');
    const cookie = c.setCookies.at(-1)!;
    expect(cookie).toMatch(/^newsdesk_desk=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(Number(/Max-Age=(\d+)/i.exec(cookie)?.[1] ?? Date.parse(/Expires=([^;]+)/i.exec(cookie)![1]!) - Date.now())).toBeGreaterThan(0);

    const page = await c.get('/queue');
    expect(page.status).toBe(200);
    for (const name of ['Status', 'Compose', 'Queue', 'Feeds', 'Log']) expect(page.text).toMatch(new RegExp(`<a href="[^"]+"( aria-current="page")?>${name}</a>`));

    t.clock.advance(11 * 3_600_000); // idle, but not long enough
    expect((await c.get('/')).status).toBe(200);
    t.clock.advance(12 * 3_600_000 + 60_000); // 12 h since the last request
    const expired = await c.get('/log');
    expect(expired.status).toBe(303);
    expect(expired.location).toBe('/sign-in?next=%2Flog');
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.get('/sign-in', { 'x-forwarded-proto': 'https' });
    await c.request('/sign-in', { method: 'POST', form: { _csrf: c.csrf(), token: TOKEN }, headers: { 'x-forwarded-proto': 'https' } });
    expect(c.setCookies.at(-1)).toMatch(/; Secure/);
  });

  it('sends pages to sign-in without a session, ends the session at sign-out, and a new token ends them all', async () => {
    const store = createMemorySessionStore({ now: () => Date.now(), setTimer: () => () => undefined });
    const t = await deskSetup({ sessionStore: store });
    const anonymous = deskClient(t.url);
    expect(await anonymous.get('/queue')).toMatchObject({ status: 303, location: '/sign-in?next=%2Fqueue' });

    const c = deskClient(t.url);
    await c.signIn();
    expect((await c.get('/')).status).toBe(200);
    const cookies = c.cookies();

    // The same store behind a server started with another token: the old cookie opens nothing.
    const other = await deskSetup({ sessionStore: store, token: 'a-completely-different-token-123' });
    const moved = deskClient(other.url);
    const cookieHeader = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    expect(await moved.get('/', { cookie: cookieHeader })).toMatchObject({ status: 303 });

    expect((await c.post('/sign-out')).location).toBe('/sign-in');
    expect((await c.get('/', { cookie: cookieHeader })).status).toBe(303);
  });

  it('limits sign-in attempts per client address', async () => {
    const t = await deskSetup({ signInLimit: { max: 3, windowMs: 60_000 } });
    const c = deskClient(t.url);
    await c.get('/sign-in');
    for (let i = 0; i < 3; i += 1) expect((await c.post('/sign-in', { token: `guess-${i}` })).status).toBe(401);
    const limited = await c.post('/sign-in', { token: TOKEN });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Too many sign-in attempts');
  });

  it('says how to turn the desk on when there is no token', async () => {
    const t = await deskSetup({ token: undefined });
    const page = await deskClient(t.url).get('/');
    expect(page.status).toBe(404);
    expect(page.text).toContain('NEWSDESK_API_TOKEN');
  });
});

describe('desk: safety', () => {
  it('refuses a POST without the CSRF token (403) and changes nothing', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await t.core.run('queue Floods rise | https://news.example.com/a', { door: 'cli', id: 'cli:test' });
    const forged = await c.request('/articles/1/cancel', { method: 'POST', form: { back: '/queue' } });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('did not come from the desk');
    const wrongToken = await c.post('/pause', { _csrf: 'forged-token' });
    expect(wrongToken.status).toBe(403);
    expect(t.ctx.queue.get(1)?.status).toBe('queued');
    expect(t.ctx.settings.isPaused()).toBe(false);
    // Without any session at all, the same.
    expect((await deskClient(t.url).request('/pause', { method: 'POST', form: {} })).status).toBe(403);
  });

  it('escapes what users and feeds wrote, and sends a strict CSP', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await t.core.runStructured('enqueue', { headline: '<script>alert(1)</script> "quoted" & <b>bold</b>', url: 'https://news.example.com/x?a=1&b=<2>' }, { door: 'api', id: 'api' });
    const page = await c.get('/queue');
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.text).not.toMatch(/<script>(?!alert)|\sstyle="|\son[a-z]+="/); // no inline script, style or handler
  });
});

describe('desk: actions through the command core', () => {
  it('pause, resume, cancel, retry, post now and reschedule are commands audited with the web door and the session', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await c.get('/');
    const editor = /web:editor-[0-9a-f]{8}/;
    expect(await c.post('/pause', { back: '/' })).toMatchObject({ status: 303, location: '/' });
    expect(t.ctx.settings.isPaused()).toBe(true);
    expect((await c.get('/')).text).toContain('Paused: nothing will be posted');
    await c.post('/resume');
    expect(t.ctx.settings.isPaused()).toBe(false);

    for (let i = 1; i <= 3; i += 1) await t.core.run(`queue Story ${i} | https://news.example.com/${i}`, { door: 'cli', id: 'cli:test' });
    await c.get('/queue');
    await c.post('/articles/1/cancel', { back: '/queue' });
    await c.post('/articles/2/post-now', { back: '/queue' });
    await c.post('/articles/3/reschedule', { at: '2026-11-28T09:30', back: '/queue' });
    expect(t.ctx.queue.get(1)?.status).toBe('cancelled');
    expect(t.ctx.queue.get(2)?.priority).toBe('breaking');
    expect(t.ctx.queue.get(3)).toMatchObject({ timed: true, publishAt: Date.UTC(2026, 10, 28, 1, 30) }); // 09:30 in Kuala Lumpur
    const refused = await c.post('/articles/1/retry', { back: '/queue' });
    expect(refused.status).toBe(303);
    expect((await c.get('/queue')).text).toContain('only failed articles can be retried');

    const webRows = t.audit().filter((a) => a.door === 'web');
    expect(webRows.map((a) => a.command)).toEqual(['pause', 'resume', 'cancel 1', 'post-now 2', 'reschedule 3 2026-11-28T09:30', 'retry 1']);
    for (const row of webRows) expect(row.actor).toMatch(editor);
  });

  it('queues from Compose through the same validation, listing every problem', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await c.get('/compose');
    const bad = await c.post('/compose', { headline: '', url: 'ftp://x', priority: 'normal' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Not queued');
    expect(t.ctx.queue.get(1)).toBeUndefined();
    const ok = await c.post('/compose', { headline: 'Budget explained', summary: 'What changes', url: 'https://news.example.com/budget', priority: 'breaking', publishAt: '2026-11-27T08:00' });
    expect(ok).toMatchObject({ status: 303, location: '/queue' });
    expect(t.ctx.queue.get(1)).toMatchObject({ priority: 'breaking', timed: true, publishAt: Date.UTC(2026, 10, 27, 0, 0), source: expect.stringMatching(/^web:editor-/) });
    const preview = await c.request('/compose/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': c.csrf() },
      body: JSON.stringify({ headline: 'Other', url: 'https://news.example.com/budget' }),
    });
    expect(JSON.parse(preview.text)).toMatchObject({ text: '*Other*\n\nhttps://news.example.com/budget', duplicate: { id: 1 } });
  });
});

describe('desk: queue paging and live events', () => {
  it('pages the queue by keyset without repeats', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    for (let i = 1; i <= 120; i += 1) await t.core.run(`queue Story ${i} | https://news.example.com/${i}`, { door: 'cli', id: 'cli:test' });
    const seen: string[] = [];
    let path: string | null = '/queue?status=queued';
    while (path) {
      const page = await c.get(path);
      seen.push(...[...page.text.matchAll(/id="article-(\d+)"/g)].map((m) => m[1]!));
      path = /href="([^"]+)" rel="next"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&') ?? null;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
  });

  it('sends a change event when another process writes to the database', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    const cookie = [...c.cookies()].map(([k, v]) => `${k}=${v}`).join('; ');
    const controller = new AbortController();
    const res = await fetch(`${t.url}/events`, { headers: { cookie }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const read = async (until: RegExp) => {
      while (!until.test(received)) received += decoder.decode((await reader.read()).value);
    };
    await read(/event: hello/);
    const other = openDatabase(t.db.name); // the CLI's own connection
    other.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('x', 'y', 1)`).run();
    other.close();
    await read(/event: change/);
    controller.abort();
    expect((await deskClient(t.url).get('/events')).status).toBe(401);
  });
});

describe('desk: status page and the API description', () => {
  it('links to the QR code when WhatsApp waits for a scan, says why posting waits, and draws the 24-hour charts', async () => {
    const until = Date.UTC(2026, 10, 26, 23, 0); // 07:00 next day in Kuala Lumpur
    const t = await deskSetup({
      runtime: { channel: { state: 'waiting-for-login', since: 0, detail: 'scan the QR code' }, waiting: { reason: 'quiet hours', until, breakingMayGo: true } },
    });
    const c = deskClient(t.url);
    await c.signIn();
    await t.core.run('queue Story | https://news.example.com/s', { door: 'cli', id: 'cli:test' });
    const page = await c.get('/');
    expect(page.text).toMatch(/waiting: quiet hours until <time datetime="[^"]+">Fri 27 Nov 07:00<\/time> \(breaking news still goes out\)/);
    expect(page.text).toContain('Waiting: quiet hours.');
    expect(page.text).toContain('Waiting for login');
    expect(page.text).toMatch(/<a class="button" href="\/login">Scan the QR code/);
    expect(page.text).toContain('<svg class="chart" id="chart-posts"');
    expect(page.text).toContain('<svg class="chart" id="chart-latency"');
  });

  it('renders /api/openapi.json as a page linked from every desk page', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    expect((await c.get('/')).text).toContain('<a href="/docs/api">HTTP API</a>');
    const doc = JSON.parse((await c.get('/api/openapi.json')).text) as { paths: Record<string, Record<string, unknown>> };
    const page = await deskClient(t.url).get('/docs/api'); // public, like the document
    expect(page.status).toBe(200);
    for (const [path, methods] of Object.entries(doc.paths)) for (const method of Object.keys(methods)) expect(page.text).toContain(`<code>${method.toUpperCase()} ${path}</code>`);
    expect(page.text).toContain('href="/api/openapi.json"');
  });
});
