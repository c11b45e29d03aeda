import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, MAIN } from '../helpers/processes.js';
import { cleanUp, msg, prepareRealWhatsApp, spawnRealBot, type RealBot, type RealSetup } from '../helpers/real-whatsapp.js';
import { execFile } from 'node:child_process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-pin-'));

function runMain(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN], { env, timeout: 20_000 }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
  });
}

/** NEWSDESK_WA_WEB_VERSION and NEWSDESK_WA_WEB_CACHE_DIR: both or neither, and a missing page said plainly. */
describe('pinning WhatsApp Web (NEWSDESK_WA_WEB_VERSION, NEWSDESK_WA_WEB_CACHE_DIR)', () => {
  let bot: RealBot | undefined;
  let setup: RealSetup | undefined;
  afterAll(() => cleanUp({ bot, setup, root }));

  it.each([
    ['NEWSDESK_WA_WEB_VERSION', '2.3000.1017054665', 'NEWSDESK_WA_WEB_CACHE_DIR'],
    ['NEWSDESK_WA_WEB_CACHE_DIR', root, 'NEWSDESK_WA_WEB_VERSION'],
  ])('%s alone stops the start before anything runs, naming the other one', async (given, value, missing) => {
    const { code, stderr } = await runMain(childEnv({ NEWSDESK_DATA_DIR: path.join(root, 'data-one'), NEWSDESK_CHANNEL: '120363000000000001@newsletter', [given]: value }));
    expect(code).toBe(2);
    expect(stderr).toContain(`${missing}: must be set together with ${given}`);
  });

  it('a version whose page is not in the folder is reported at start with what to do', async () => {
    setup = await prepareRealWhatsApp(path.join(root, 'missing'));
    bot = spawnRealBot(setup.env({ NEWSDESK_WA_WEB_VERSION: '2.3000.0000000000' }));
    const line = await bot.waitForLine(msg(/^WhatsApp Web could not start/), 'the start failure', 45_000);
    expect(String(line.json?.msg)).toContain("Couldn't load version 2.3000.0000000000 from the cache");
    expect(String(line.json?.hint)).toContain('put <NEWSDESK_WA_WEB_VERSION>.html in NEWSDESK_WA_WEB_CACHE_DIR');
  }, 60_000);
});
