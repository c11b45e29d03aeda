import fs from 'node:fs';

/** Debian's Chromium: the browser Newsdesk drives and the browser tests launch. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium path, for a test that needs the browser. A missing browser fails the test with the
 * install line: a skipped browser test would let `npm test` pass without ever testing the browser.
 */
export function requireChromium(): string {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (the browser tests need it; they never skip)`);
  }
  return CHROMIUM;
}
