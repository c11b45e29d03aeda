/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFakeClock } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { requireChromium } from '../helpers/chromium.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TOKEN, httpSetup } from './http-setup.js';
import { whatsappSetup } from './whatsapp-setup.js';

/**
 * The login page in headless Debian Chromium: the real server, the real WhatsApp adapter on the fake
 * client. The page must show the QR code, follow it when it rotates, and say "connected" after ready,
 * all under its own Content-Security-Policy (a blocked inline script or image would fail this).
 */

async function launch(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: requireChromium(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  onTestFinished(() => browser.close());
  return browser;
}

describe('login page in Chromium', () => {
  it('shows the QR code, follows its rotation, and says connected once WhatsApp is ready', async () => {
    const clock = createFakeClock();
    const { log } = createMemoryLogger();
    const w = whatsappSetup(clock, log);
    const t = await httpSetup({ channel: w.channel });
    const client = await w.start();
    const shots = tempDir('newsdesk-login-shots-');

    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 480, height: 720 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));

    const response = await page.goto(`${t.url}/login?token=${encodeURIComponent(TOKEN)}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${t.url}/login`); // the token is gone from the address bar
    expect(await page.locator('#title').textContent()).toBe('starting');
    expect(await page.locator('#qr').isVisible()).toBe(false);

    client.emitQr('2@first-ref,static==,identity==,adv==,1');
    const qr = page.locator('#qr');
    await qr.waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#title').textContent()).toBe('scan the QR code');
    const first = await qr.getAttribute('src');
    expect(first).toMatch(/^data:image\/png;base64,/);
    // The image really rendered (CSP allows data: images): a QR code 288 px wide.
    expect(await qr.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBe(288);
    await page.screenshot({ path: path.join(shots, '1-qr.png') });

    client.emitQr('2@second-ref,static==,identity==,adv==,1');
    // Polled from outside: the page's CSP forbids the string evaluation waitForFunction would need.
    await expect.poll(() => qr.getAttribute('src'), { timeout: 10_000 }).not.toBe(first);
    const second = await qr.getAttribute('src');
    expect(second).toMatch(/^data:image\/png;base64,/);
    expect(second).not.toBe(first);
    await page.screenshot({ path: path.join(shots, '2-rotated.png') });

    await w.ready();
    await expect.poll(() => page.locator('#title').textContent(), { timeout: 10_000 }).toBe('connected');
    expect(await qr.isVisible()).toBe(false);
    expect(await page.locator('#detail').textContent()).toBe('posting to "Daily Bulletin <Live>"');
    expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
    const final = path.join(shots, '3-connected.png');
    await page.screenshot({ path: final, fullPage: true });

    expect(fs.statSync(final).size).toBeGreaterThan(1_000);
    expect(problems).toEqual([]);
    if (process.env.NEWSDESK_KEEP_SCREENSHOTS) {
      fs.mkdirSync(process.env.NEWSDESK_KEEP_SCREENSHOTS, { recursive: true });
      for (const f of fs.readdirSync(shots)) fs.copyFileSync(path.join(shots, f), path.join(process.env.NEWSDESK_KEEP_SCREENSHOTS, f));
    }
  }, 60_000);

  it('asks for the token with a form and opens the page after it is entered', async () => {
    const clock = createFakeClock();
    const { log } = createMemoryLogger();
    const w = whatsappSetup(clock, log);
    const t = await httpSetup({ channel: w.channel });
    const client = await w.start();
    client.emitQr('2@form-ref,static==,identity==,adv==,1');

    const browser = await launch();
    const page = await browser.newPage();
    await page.goto(`${t.url}/login`);
    await page.fill('#token', 'wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#form-error').textContent()).toContain('That token is wrong');
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.locator('#qr').waitFor({ state: 'visible' });
    expect(page.url()).toBe(`${t.url}/login`);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'newsdesk_login', httpOnly: true, sameSite: 'Strict', path: '/login' })]);
  }, 60_000);
});
