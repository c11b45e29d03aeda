import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { guardBrowserPipes } from '../../src/channel/whatsapp-launch.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';

/**
 * Chromium launched with `pipe: true` talks DevTools over fds 3 and 4. Once puppeteer has closed the
 * connection it no longer listens for errors there, and Node 24 reports `read ECONNRESET` when the
 * browser goes: an 'error' event nobody listens to would end the bot (seen in CI on a CONFLICT).
 */
describe('the DevTools pipes to Chromium', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });

  it('an error on a pipe after puppeteer let go is logged, not thrown', async () => {
    child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    const { log, entries } = createMemoryLogger();
    guardBrowserPipes(child, log);
    guardBrowserPipes(child, log); // a second call (the exit watch, then the close) adds nothing
    const read = child.stdio[4]!;
    expect(read.listenerCount('error')).toBe(1);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    read.destroy(reset); // emits 'error': with no listener, the process would crash
    await new Promise((resolve) => read.once('close', resolve)); // (events.once would take the error itself)
    expect(entries.some((e) => e.level === 'debug' && /DevTools pipe/.test(e.msg))).toBe(true);
  });
});
