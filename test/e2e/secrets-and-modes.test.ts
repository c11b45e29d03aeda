import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = 'e2e-secret-Vq8Zt3Lm5Xp1Rk7Wn2Jd9Hc4';
const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('the built bot and CLI keep secrets and files to their owner', () => {
  it('never logs the API token (not at debug, not from /login?token=), and creates data, database and backups owner-only', async () => {
    const dataDir = path.join(tempDir(), 'data'); // does not exist yet
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_API_TOKEN: TOKEN, NEWSDESK_LOG_LEVEL: 'debug' });
    const bot = startBot(['--dry-run'], env);
    await bot.waitForLine(logged('newsdesk started'));
    const url = String(bot.lines.find((l) => typeof l.json?.url === 'string')?.json?.url);

    const paths = [`/login?token=${TOKEN}`, `/login?%74oken=${TOKEN}`, `/login?x=1&TOKEN=${TOKEN}`, `/api/nope?token=${TOKEN}`, `/login/state?token=${TOKEN}`];
    for (const p of paths) await (await fetch(`${url}${p}`, { redirect: 'manual' })).text();
    await (await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    await bot.waitForLine((l) => l.json?.msg === 'HTTP request' && String(l.json.url).startsWith('/api/status'));
    const requestLines = bot.lines.filter((l) => l.json?.msg === 'HTTP request');
    expect(requestLines.length).toBeGreaterThanOrEqual(paths.length + 1); // they were logged, with the token cut out
    expect(requestLines.some((l) => String(l.json?.url).includes('token=[redacted]'))).toBe(true);

    const backup = await runCli(['backup', 'owner-only.db'], env);
    expect(backup.code).toBe(0);
    // Bad input from the shell: a terminal escape in a headline is exit 2 with the reason.
    const escape = await runCli(['queue', 'Floods \u001b[2J rise | https://news.example.com/floods'], env);
    expect(escape).toMatchObject({ code: 2, stderr: expect.stringContaining('U+001B (ESC') });

    expect(mode(dataDir)).toBe('700');
    for (const file of ['newsdesk.db', 'newsdesk.db-wal', 'newsdesk.db-shm']) expect([file, mode(path.join(dataDir, file))]).toEqual([file, '600']);
    expect(mode(path.join(dataDir, 'backups'))).toBe('700');
    expect(mode(path.join(dataDir, 'backups', 'owner-only.db'))).toBe('600');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const everything = [...bot.lines.map((l) => l.raw), ...bot.stderr, backup.stdout, backup.stderr].join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(TOKEN.slice(4, 20));
  });
});
