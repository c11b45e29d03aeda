import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channel/channel.js';
import { createStatusHolder } from '../../src/channel/status-holder.js';
import { loginCookieValue } from '../../src/http/auth.js';
import { escapeHtml } from '../../src/http/login-page.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { TOKEN, httpSetup } from './http-setup.js';
import { whatsappSetup } from './whatsapp-setup.js';

const QR_1 = '2@first-ref,static-key==,identity-key==,adv-secret==,1';
const QR_2 = '2@second-ref,static-key==,identity-key==,adv-secret==,1';

/** The server over the real WhatsApp adapter on the fake client. */
async function loginSetup(options: { pairingNumber?: string; token?: string } = {}) {
  const clock = createFakeClock();
  const { log } = createMemoryLogger();
  const w = whatsappSetup(clock, log, options);
  const t = await httpSetup({ channel: w.channel, ...('token' in options ? { token: options.token } : {}) });
  /** Follows ?token= and returns the cookie header a browser would send back. */
  async function login(): Promise<string> {
    const res = await t.request(`/login?token=${encodeURIComponent(TOKEN)}`);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie()[0]!;
    return cookie.split(';')[0]!;
  }
  return { ...t, w, login };
}

const nonceOf = (csp: string | null) => /script-src 'nonce-([^']+)'/.exec(csp ?? '')?.[1];

describe('GET /login', () => {
  it('without a token shows a form (POST, password field) under a strict CSP, and no code', async () => {
    const t = await loginSetup();
    const client = await t.w.start();
    client.emitQr(QR_1);
    const res = await t.request('/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<form method="post" action="/login">');
    expect(res.text).toContain('type="password"');
    expect(res.text).not.toContain('data:image/png');
    expect(res.text).not.toContain('<script');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('img-src data:');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('?token= with the right token sets an HttpOnly SameSite=Strict cookie (not the token) and redirects to /login', async () => {
    const t = await loginSetup();
    const res = await t.request(`/login?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^newsdesk_login=[A-Za-z0-9_-]+; Max-Age=43200; Path=\/login; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    expect(cookie).toContain(loginCookieValue(TOKEN));
  });

  it('marks the cookie Secure behind an HTTPS reverse proxy (X-Forwarded-Proto: https)', async () => {
    const t = await loginSetup();
    const res = await t.request(`/login?token=${TOKEN}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.getSetCookie()[0]).toMatch(/; Secure(;|$)/);
  });

  it('a wrong token (query or form) is 401 with the form and no cookie; an empty form is 400', async () => {
    const t = await loginSetup();
    const query = await t.request('/login?token=guess');
    expect(query.status).toBe(401);
    expect(query.text).toContain('That token is wrong');
    expect(query.headers.getSetCookie()).toEqual([]);
    const form = await t.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=guess' });
    expect(form.status).toBe(401);
    expect(form.headers.getSetCookie()).toEqual([]);
    const empty = await t.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=' });
    expect(empty.status).toBe(400);
    const forged = await t.request('/login', { headers: { cookie: `newsdesk_login=${TOKEN}` } });
    expect(forged.text).toContain('<form');
  });

  it('the form posts the token and gets the cookie', async () => {
    const t = await loginSetup();
    const res = await t.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.getSetCookie()[0]).toContain('HttpOnly');
  });

  it('with the cookie shows the current QR code as an image and a nonce-bound polling script', async () => {
    const t = await loginSetup();
    const client = await t.w.start();
    client.emitQr(QR_1);
    const cookie = await t.login();
    const res = await t.request('/login', { headers: { cookie } });
    expect(res.status).toBe(200);
    const expected = await QRCode.toDataURL(QR_1, { errorCorrectionLevel: 'M', margin: 2, width: 288 });
    expect(res.text).toContain(`<img id="qr" alt="WhatsApp login QR code" width="288" height="288" src="${expected}">`);
    expect(res.text).toContain('<p id="title">scan the QR code</p>');
    const nonce = nonceOf(res.headers.get('content-security-policy'));
    expect(nonce).toBeTruthy();
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(res.text).not.toContain(QR_1); // only the image, not the raw login secret
  });

  it('without NEWSDESK_API_TOKEN the page is off: 404 saying how to turn it on', async () => {
    const t = await loginSetup({ token: undefined });
    const res = await t.request(`/login?token=${TOKEN}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('NEWSDESK_API_TOKEN is not set');
    expect((await t.request('/login/state')).status).toBe(404);
  });
});

describe('GET /login/state', () => {
  it('follows the QR code as it rotates, then says connected once ready', async () => {
    const t = await loginSetup();
    const client = await t.w.start();
    const cookie = await t.login();

    client.emitQr(QR_1);
    const first = await t.request('/login/state', { headers: { cookie } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'waiting-for-login', title: 'scan the QR code', code: null, qr: expect.stringMatching(/^data:image\/png;base64,/) });

    client.emitQr(QR_2);
    const second = await t.request('/login/state', { headers: { cookie } });
    expect(second.body.qr).not.toBe(first.body.qr);
    expect(second.body.qr).toBe(await QRCode.toDataURL(QR_2, { errorCorrectionLevel: 'M', margin: 2, width: 288 }));

    await t.w.ready();
    const ready = await t.request('/login/state', { headers: { cookie } });
    expect(ready.body).toMatchObject({ state: 'ready', title: 'connected', qr: null, code: null, detail: 'posting to "Daily Bulletin <Live>"' });
    expect((await t.request('/readyz')).status).toBe(200);
  });

  it('shows the pairing code when pairing by phone number', async () => {
    const t = await loginSetup({ pairingNumber: '60123456789' });
    const client = await t.w.start();
    client.emitCode('ABCDEFGH');
    const res = await t.request('/login/state', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.body).toMatchObject({ title: 'enter the pairing code', code: 'ABCD-EFGH', qr: null });
    const page = await t.request('/login', { headers: { cookie: await t.login() } });
    expect(page.text).toContain('<p id="code">ABCD-EFGH</p>');
  });

  it('401 without the cookie or the bearer token', async () => {
    const t = await loginSetup();
    const res = await t.request('/login/state');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/open \/login and enter the token/);
  });
});

describe('escaping', () => {
  it('escapes whatever the channel reports before it goes into the page', async () => {
    const clock = createFakeClock();
    const status = createStatusHolder(clock, { state: 'failed', detail: '<img src=x onerror=alert(1)> "quoted" & \'single\'' });
    const channel: Channel = {
      name: 'evil',
      start: async () => undefined,
      status: status.get,
      onStatus: status.subscribe,
      info: () => null,
      send: async () => 'x',
      findPost: async () => null,
      stop: async () => undefined,
      loginPrompt: () => ({ kind: 'code', value: '<b>AB"CD</b>', since: clock.now() }),
    };
    const t = await httpSetup({ channel });
    const cookie = (await t.request(`/login?token=${TOKEN}`)).headers.getSetCookie()[0]!.split(';')[0]!;
    const page = await t.request('/login', { headers: { cookie } });
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).not.toContain('<b>AB');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &#39;single&#39;');
    expect(page.text).toContain('&lt;b&gt;AB&quot;CD&lt;/b&gt;');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
