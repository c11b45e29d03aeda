/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPost } from '../../../src/articles/format.js';
import { fixture, startFeedServer } from '../../feeds/support/feed-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { launchChromium, scrollsSideways, signIn, watchProblems } from './browser.js';
import { deskSetup, TOKEN } from './desk-setup.js';

/**
 * The desk in headless Debian Chromium, against the real server and command core (fake clock, fake
 * channel). One browser for the file; a fresh browser context (no cookies) per test.
 */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const CLI = { door: 'cli' as const, id: 'cli:test' };

async function openDesk(options: Parameters<typeof deskSetup>[0] = {}, viewport = { width: 1100, height: 900 }) {
  const t = await deskSetup(options);
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signIn(page, t.url, TOKEN);
  /** Posts (or fails) the next article as the posting loop would. */
  const finishNext = (outcome: 'posted' | 'failed') => {
    const now = t.clock.now();
    const claim = t.ctx.queue.claimNext(now, now, 'fake', (a) => formatPost(a, t.ctx.format));
    if (claim?.kind !== 'claimed') throw new Error('nothing to claim');
    if (outcome === 'posted') t.ctx.queue.markPosted(claim.delivery.id, 'true_120363000000000001@newsletter_3EB0A1B2', now);
    else t.ctx.queue.markFailed(claim.delivery.id, 'the channel refused the post', now, { final: true });
    return claim.article.id;
  };
  return { t, page, problems, finishNext, close: () => context.close() };
}

const row = (page: Page, id: number) => page.locator(`#article-${id}`);

// Generous: a shared 2-core machine under load makes a page load take seconds. These bound hangs, not speed.

/**
 * A screenshot. Chromium can refuse a capture on a loaded machine ("Unable to capture screenshot": no
 * frame from the compositor yet); that says nothing about the desk, so it is asked again, a few times.
 */
async function capture(page: Page, options: Parameters<Page['screenshot']>[0]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.screenshot(options);
      return;
    } catch (err) {
      if (attempt >= 3 || !/Unable to capture screenshot/.test(String(err))) throw err;
      await page.waitForTimeout(500);
    }
  }
}
describe('desk in Chromium', { timeout: 120_000 }, () => {
  it('signs in, previews as the editor types, and queues normal, breaking and scheduled articles', async () => {
    const { t, page, problems, close } = await openDesk();
    for (const name of ['Status', 'Compose', 'Queue', 'Feeds', 'Log']) await expect.poll(() => page.getByRole('link', { name, exact: true }).count()).toBe(1);

    await page.getByRole('link', { name: 'Compose', exact: true }).click();
    await page.getByLabel('Headline').fill('Quake *hits* Sabah');
    await page.getByLabel('Summary').fill('Magnitude 6.1, no tsunami warning');
    await page.getByLabel('Link').fill('https://news.example.com/quake');
    const preview = page.getByRole('region', { name: 'Preview' });
    const expected = formatPost({ headline: 'Quake *hits* Sabah', summary: 'Magnitude 6.1, no tsunami warning', url: 'https://news.example.com/quake', priority: 'normal' }, t.ctx.format);
    await expect.poll(() => preview.locator('#preview-text').textContent()).toBe(expected);
    // WhatsApp's bold is rendered, and the stray asterisks in the headline are neutralised as in the post.
    expect(await preview.locator('strong').first().textContent()).toBe('Quake ∗hits∗ Sabah');
    await expect.poll(() => preview.locator('#preview-count').textContent()).toBe(`${expected.length} of 4096 characters`);
    await page.getByLabel('Priority').selectOption('Breaking');
    await expect.poll(() => preview.locator('#preview-text').textContent()).toMatch(/^\*🔴 BREAKING: Quake/);
    await page.getByLabel('Priority').selectOption('Normal');
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.waitForURL(`${t.url}/queue`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Queued #1: goes out at the next scheduled release/);
    expect(await row(page, 1).textContent()).toContain('Quake *hits* Sabah');

    // The same link again is flagged before queueing.
    await page.getByRole('link', { name: 'Compose', exact: true }).click();
    await page.getByLabel('Headline').fill('Quake aftershocks');
    await page.getByLabel('Link').fill('https://news.example.com/quake?utm_source=whatsapp');
    await expect.poll(() => page.locator('#duplicate').textContent()).toBe('This link is already queued as #1 (queued): Quake *hits* Sabah');

    await page.getByLabel('Link').fill('https://news.example.com/breaking');
    await page.getByLabel('Priority').selectOption('Breaking');
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.waitForURL(`${t.url}/queue`);
    expect(t.ctx.queue.get(2)).toMatchObject({ priority: 'breaking', source: expect.stringMatching(/^web:editor-/) });

    await page.getByRole('link', { name: 'Compose', exact: true }).click();
    await page.getByLabel('Headline').fill('Budget 2027 explained');
    await page.getByLabel('Link').fill('https://news.example.com/budget');
    await page.getByLabel('Publish at').fill('2026-11-27T18:30');
    await page.getByRole('button', { name: 'Queue' }).click();
    await page.waitForURL(`${t.url}/queue`);
    expect(t.ctx.queue.get(3)).toMatchObject({ timed: true, publishAt: Date.UTC(2026, 10, 27, 10, 30) }); // 18:30 in Kuala Lumpur
    expect(await row(page, 3).getAttribute('data-status')).toBe('scheduled');
    expect(await row(page, 3).locator('time').textContent()).toBe('Fri 27 Nov 18:30');
    // Posting order: breaking first, then the queued normal one, then the scheduled one.
    expect(await page.locator('#queue-live section').first().locator('li.row').evaluateAll((rows) => rows.map((r) => r.id))).toEqual(['article-2', 'article-1', 'article-3']);
    expect(problems).toEqual([]);
    await close();
  });

  it('cancels, retries a failed article, posts now, pauses and resumes, and follows changes live', async () => {
    const { t, page, problems, finishNext, close } = await openDesk();
    for (let i = 1; i <= 3; i += 1) await t.core.run(`queue Story ${i} | https://news.example.com/${i}`, CLI);
    expect(finishNext('failed')).toBe(1);
    await page.getByRole('link', { name: 'Queue', exact: true }).click();

    await row(page, 2).getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => row(page, 2).getAttribute('data-status')).toBe('cancelled');
    expect(t.ctx.queue.get(2)?.status).toBe('cancelled');

    await row(page, 1).getByRole('button', { name: 'Retry', exact: true }).click();
    await expect.poll(() => row(page, 1).getAttribute('data-status')).toBe('queued');

    await row(page, 3).getByRole('button', { name: 'Post now', exact: true }).click();
    await expect.poll(() => t.ctx.queue.get(3)?.priority).toBe('breaking');
    await page.waitForLoadState('load');

    await row(page, 1).getByText('Change time').click();
    await row(page, 1).getByLabel('New time for #1').fill('2026-11-28T07:15');
    await row(page, 1).getByRole('button', { name: 'Reschedule' }).click();
    await expect.poll(() => t.ctx.queue.get(1)?.publishAt).toBe(Date.UTC(2026, 10, 27, 23, 15)); // 07:15 in Kuala Lumpur
    await page.waitForLoadState('load');
    expect(await row(page, 1).getAttribute('data-status')).toBe('scheduled');

    // Live: a breaking story queued from elsewhere shows up, then turns posted, with no reload.
    const marker = await page.evaluate(() => ((window as unknown as { deskMarker: number }).deskMarker = 42));
    await t.core.run('breaking Dam bursts upstream | https://news.example.com/dam', CLI);
    await row(page, 4).waitFor();
    expect(finishNext('posted')).toBe(3); // made breaking by Post now before #4 came in
    expect(finishNext('posted')).toBe(4);
    await expect.poll(() => row(page, 4).getAttribute('data-status')).toBe('posted');
    expect(await row(page, 4).locator('.message-id').textContent()).toBe('true_120363000000000001@newsletter_3EB0A1B2');
    expect(await page.evaluate(() => (window as unknown as { deskMarker: number }).deskMarker)).toBe(marker); // same page, never reloaded

    await page.getByRole('link', { name: 'Status', exact: true }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    expect(t.ctx.settings.isPaused()).toBe(true);
    expect(await page.locator('#status-live').textContent()).toContain('Paused: nothing is posted');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).count()).toBe(1);
    expect(t.ctx.settings.isPaused()).toBe(false);
    expect(await page.locator('#chart-posts').count()).toBe(1);
    expect(await page.locator('#chart-latency').count()).toBe(1);

    await page.getByRole('link', { name: 'Log', exact: true }).click();
    await page.getByLabel('Search').fill('pause');
    await page.getByRole('button', { name: 'Search' }).click();
    const audit = page.locator('#audit-h + ol li');
    await expect.poll(() => audit.count()).toBe(1);
    expect(await audit.textContent()).toMatch(/web\s+web:editor-[0-9a-f]{8}\s+ok/);
    expect(problems).toEqual([]);
    await close();
  });

  it('adds a feed and shows its first-poll report; pauses it and polls it now', async () => {
    const { t, page, problems, close } = await openDesk();
    const feeds = await startFeedServer();
    const url = feeds.serve('/guardian.rss', { body: fixture('guardian.rss') });
    await page.getByRole('link', { name: 'Feeds', exact: true }).click();
    await page.getByLabel('Feed address').fill(url);
    await page.getByLabel('Category').fill('World news');
    await page.getByRole('button', { name: 'Add feed' }).click();
    await page.waitForURL(`${t.url}/feeds`);
    const report = await page.getByRole('status').first().textContent();
    expect(report).toMatch(/^Added feed #1 \(.+\), polled every \d+ min\.\nFirst poll: \d+ items: 0 queued/);
    const feed = page.locator('#feed-1');
    expect(await feed.textContent()).toContain('World news');
    await feed.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.locator('#feed-1 .badge').textContent()).toBe('paused');
    await page.locator('#feed-1').getByRole('button', { name: 'Resume' }).click();
    await page.locator('#feed-1').getByRole('button', { name: 'Poll now' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Nothing new|items:/);
    expect(feeds.hits('/guardian.rss').length).toBeGreaterThanOrEqual(2);
    await page.locator('#feed-1').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.locator('#feed-1').count()).toBe(0);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows a script headline as text, refuses a forged POST, and sends an expired session back to sign-in', async () => {
    const { t, page, problems, close } = await openDesk();
    await t.core.runStructured('enqueue', { headline: '<script>alert(1)</script><img src=x onerror=alert(2)>', url: 'https://news.example.com/xss' }, { door: 'api', id: 'api' });
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    expect(await row(page, 1).locator('h3').textContent()).toBe('<script>alert(1)</script><img src=x onerror=alert(2)>');
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(dialogs).toBe(0);

    // A form posted without the desk's CSRF token (as another site would) is refused.
    const forged = await page.evaluate(async () => {
      const r = await fetch('/articles/1/cancel', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'back=%2Fqueue' });
      return r.status;
    });
    expect(forged).toBe(403);
    expect(t.ctx.queue.get(1)?.status).toBe('queued');

    t.clock.advance(12 * 3_600_000 + 60_000);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.getByLabel('Token').count()).toBe(1);
    expect(problems.filter((p) => !/403/.test(p))).toEqual([]);
    await close();
  });

  it('fits a 360 px phone on every page with no sideways scrolling', async () => {
    const { t, page, problems, finishNext, close } = await openDesk({}, { width: 360, height: 740 });
    await t.core.run('breaking Floods close the coastal highway between two towns; traffic diverted | Police say the road stays shut overnight | https://news.example.com/2026/11/26/a-very-long-link-that-would-push-a-narrow-layout-sideways-if-it-could', CLI);
    await t.core.run('queue Budget 2027 explained | What changes for you | https://news.example.com/budget', CLI);
    await t.core.run('schedule 18:30 Evening briefing | https://news.example.com/evening', CLI);
    finishNext('posted');
    const shots = tempDir('newsdesk-desk-shots-');
    for (const [name, link] of [['status', 'Status'], ['compose', 'Compose'], ['queue', 'Queue'], ['feeds', 'Feeds'], ['log', 'Log']] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.waitForLoadState('load');
      expect(await scrollsSideways(page), `${name} scrolls sideways at 360 px`).toBe(false);
      await capture(page, { path: path.join(shots, `${name}-360.png`), fullPage: true });
    }
    expect(fs.statSync(path.join(shots, 'queue-360.png')).size).toBeGreaterThan(5_000);
    // Keyboard: the first Tab reaches the skip link, which is visible once focused.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    expect(problems).toEqual([]);
    await close();
  });

  it('draws the README screenshot (docs/desk.png): the queue on a desktop screen', async () => {
    const { t, page, problems, finishNext, close } = await openDesk({}, { width: 1100, height: 760 });
    await t.core.run('queue Flood waters rise in Kelantan | Thousands moved to relief centres | https://news.example.com/floods', CLI);
    finishNext('posted');
    await t.core.run('breaking Earthquake hits Sabah | Magnitude 6.1, no tsunami warning | https://news.example.com/quake', CLI);
    await t.core.run('queue Budget 2027 explained | What changes for you | https://news.example.com/budget', CLI);
    await t.core.run('schedule 18:30 Evening briefing | The day in five stories | https://news.example.com/evening', CLI);
    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    await page.waitForURL(`${t.url}/queue`);
    await page.waitForLoadState('load');
    const shot = path.join(tempDir('newsdesk-desk-readme-'), 'desk.png');
    await capture(page, { path: shot });
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    if (process.env.NEWSDESK_UPDATE_DOCS === '1') fs.copyFileSync(shot, path.resolve(import.meta.dirname, '../../../docs/desk.png'));
    expect(problems).toEqual([]);
    await close();
  });
});
