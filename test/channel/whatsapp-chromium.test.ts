import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ClientOptions } from 'whatsapp-web.js';
import { CHROMIUM_ARGS, createWhatsAppChannel, profileDir, type ClientLike } from '../../src/channel/whatsapp.js';
import { createRealClient } from '../../src/channel/whatsapp-launch.js';
import { systemClock } from '../../src/clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { requireChromium } from '../helpers/chromium.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The real browser, the real whatsapp-web.js Client, the adapter's own launch options. WhatsApp Web
 * is unreachable (CI has no network, and name resolution is switched off inside Chromium so the test
 * behaves the same on a machine that has one): the adapter must say so clearly, schedule a retry, and
 * stop without leaving a browser behind.
 */

/** Pids of processes whose command line mentions `needle` (Linux /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked: it is not running, which is what we check for
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: no such process
  }
}

describe('WhatsApp adapter on the real Chromium', () => {
  it(
    'launches Chromium, reports WhatsApp Web unreachable, schedules a retry and stops cleanly',
    async () => {
      const CHROMIUM = requireChromium();
      const sessionDir = tempDir('newsdesk-chromium-');
      const { log, entries } = createMemoryLogger();
      const launched: ClientOptions[] = [];
      const clients: ClientLike[] = [];
      const channel = createWhatsAppChannel({
        target: { kind: 'id', id: '120363012345678901@newsletter' },
        sessionDir,
        chromiumPath: CHROMIUM,
        clock: systemClock,
        log,
        printQr: () => {
          throw new Error('no QR code can appear without WhatsApp Web');
        },
        readyTimeoutMs: 60_000,
        destroyTimeoutMs: 10_000,
        reconnect: { initialMs: 10 * 60_000, maxMs: 10 * 60_000 }, // the retry is scheduled, not run, within this test
        createClient: (options) => {
          launched.push(options);
          const offline: ClientOptions = {
            ...options,
            puppeteer: { ...options.puppeteer, args: [...(options.puppeteer?.args ?? []), '--host-resolver-rules=MAP * ~NOTFOUND'] },
          };
          const client = createRealClient(offline);
          clients.push(client);
          return client;
        },
      });

      const started = Date.now();
      await channel.start();
      await expect
        .poll(() => entries.find((e) => e.level === 'error'), { timeout: 60_000, interval: 250 })
        .toBeDefined();
      const error = entries.find((e) => e.level === 'error')!;
      expect(error.msg).toContain('WhatsApp Web could not start');
      expect(error.msg).toContain('ERR_NAME_NOT_RESOLVED');
      expect(error.msg).toContain('web.whatsapp.com is unreachable');
      expect(error.obj.hint).toBeTypeOf('string');

      await expect.poll(() => channel.status().detail ?? '', { timeout: 20_000, interval: 100 }).toContain('retrying in 10 min');
      expect(channel.status().state).toBe('starting');
      expect(entries.some((e) => e.msg.startsWith('starting WhatsApp again in 10 min'))).toBe(true);
      expect(clients).toHaveLength(1);

      // It really was our Chromium, launched with our options, in LocalAuth's profile folder.
      expect(launched[0]!.puppeteer?.executablePath).toBe(CHROMIUM);
      expect(launched[0]!.puppeteer?.args).toEqual([...CHROMIUM_ARGS]);
      const pid = clients[0]!.pupBrowser?.process()?.pid;
      expect(pid).toBeTypeOf('number');
      expect(fs.existsSync(profileDir(sessionDir))).toBe(true);

      const stopAt = Date.now();
      await channel.stop();
      expect(Date.now() - stopAt).toBeLessThan(15_000);
      expect(channel.status().state).toBe('stopped');
      expect(isAlive(pid!)).toBe(false);
      expect(processesMentioning(profileDir(sessionDir))).toEqual([]);
      expect(Date.now() - started).toBeLessThan(90_000);
    },
    90_000,
  );
});
