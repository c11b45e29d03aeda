import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv, logged, runCli, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

// The built bot (`node dist/main.js`, what `npm start` and the image run) as real child processes.

describe('one bot per data folder', () => {
  it('a second bot exits 2 naming the first one\'s PID; the CLI and backups work beside it; SIGKILL never leaves the folder locked', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir });
    const first = startBot(['--dry-run'], env);
    await first.waitForLine(logged('newsdesk started'));

    const second = startBot(['--dry-run'], env);
    expect(await second.exited).toBe(2);
    expect(second.stderr.join('\n')).toContain(`another Newsdesk bot (PID ${first.child.pid}) is already running on ${dataDir}`);
    expect(second.lines.find(logged('newsdesk started'))).toBeUndefined();

    // Beside the running bot: the CLI writes and reads, and a backup is written.
    expect((await runCli(['queue', 'Floods rise | https://news.example.com/floods'], env)).code).toBe(0);
    const status = await runCli(['--json', 'status'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true });
    const backup = await runCli(['--json', 'backup', 'beside.db'], env);
    expect(backup.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'backups', 'beside.db'))).toBe(true);

    // A bot killed without a chance to clean up leaves the folder free: the kernel drops its lock.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = startBot(['--dry-run'], env);
    await third.waitForLine(logged('newsdesk started'));
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 60_000);
});

describe('start-up refusals say what to do', () => {
  it('stops with exit 2 and the install line when Chromium is missing, before touching the data folder', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const bot = startBot([], childEnv({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_CHANNEL: '120363012345678901@newsletter', NEWSDESK_CHROMIUM_PATH: '/nonexistent/chromium' }));
    expect(await bot.exited).toBe(2);
    expect(bot.stderr.join('\n')).toMatch(/Chromium was not found at \/nonexistent\/chromium: install it \(apt-get install -y chromium\) or set NEWSDESK_CHROMIUM_PATH/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('names npm start -- --dry-run and newsdesk.env.example when the channel is missing', async () => {
    const bot = startBot([], childEnv({ NEWSDESK_DATA_DIR: tempDir() }));
    expect(await bot.exited).toBe(2);
    const stderr = bot.stderr.join('\n');
    expect(stderr).toContain('npm start -- --dry-run');
    expect(stderr).toContain('cp newsdesk.env.example newsdesk.env');
  });

  it('starts a dry run when npm took --dry-run for itself (npm start --dry-run), and says how to write it', async () => {
    const bot = startBot([], { ...childEnv({ NEWSDESK_DATA_DIR: tempDir() }), npm_config_dry_run: 'true' });
    await bot.waitForLine(logged('newsdesk started'));
    expect(bot.lines.find(logged('newsdesk started'))?.json).toMatchObject({ dryRun: true });
    expect(bot.stderr.join('\n')).toContain('npm took --dry-run for itself; starting a dry run anyway. Write it as: npm start -- --dry-run');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
  });
});
