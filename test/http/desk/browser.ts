/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium: the desk's browser tests drive it headless. */
export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless Chromium, or fails saying how to install it (these tests never skip). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the desk's browser tests need Debian's Chromium (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Collects console errors, CSP violations and page errors, so a test can assert there were none. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

/** Signs in through the form, as an editor would. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in once the redirect to the desk is taken. Not "until load": on a loaded machine Chromium once
  // took over 30 s to fire it (Node 24 run in CI); what a test checks next waits for its own element.
  await page.waitForURL(`${base}/`, { waitUntil: 'commit' });
  await page.waitForLoadState('domcontentloaded');
}

/** Whether the page scrolls sideways at its current width. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}
