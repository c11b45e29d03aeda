import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv, runCli } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const URL1 = 'https://news.example.com/floods';

describe('CLI (dist/cli.js as a child process)', () => {
  it('queues, lists, shows and cancels, with --json output and exit codes', async () => {
    const env = childEnv({ NEWSDESK_DATA_DIR: tempDir(), NEWSDESK_TIMEZONE: 'Asia/Kuala_Lumpur' });

    const queued = await runCli(['queue', `Floods rise | Thousands moved | ${URL1}`], env);
    expect(queued).toMatchObject({ code: 0, stdout: 'Queued #1: goes out at the next scheduled release.\n' });

    const json = await runCli(['--json', 'breaking', 'Quake | https://news.example.com/quake'], env);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ status: 'ok', outcome: 'created', article: { id: 2, priority: 'breaking', source: expect.stringMatching(/^cli:/) } });
    expect(json.stdout.trim().split('\n')).toHaveLength(1);

    const list = await runCli(['list'], env);
    expect(list).toMatchObject({ code: 0, stdout: 'queued (2):\n#2 ⚡ queued · Quake\n#1 queued · Floods rise\n' });

    const shown = await runCli(['--json', 'show', '1'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'ok', article: { id: 1, status: 'queued' }, text: `*Floods rise*\n\nThousands moved\n\n${URL1}`, deliveries: [] });

    expect(await runCli(['cancel', '#1'], env)).toMatchObject({ code: 0, stdout: 'Cancelled #1. It will not be posted.\n' });
    const again = await runCli(['--json', 'cancel', '1'], env);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'invalid', text: '#1 cannot be cancelled: it is already cancelled.' });

    const audit = await runCli(['--json', 'audit', '3'], env);
    expect((JSON.parse(audit.stdout) as { entries: { door: string; command: string }[] }).entries.map((e) => [e.door, e.command])).toEqual([
      ['cli', 'cancel 1'],
      ['cli', 'cancel #1'],
      ['cli', 'show 1'],
    ]);
  });

  it('exits 2 with the problem and the usage line on bad input, writing nothing', async () => {
    const dataDir = tempDir();
    const env = childEnv({ NEWSDESK_DATA_DIR: dataDir });
    const bad = await runCli(['queue', 'No link here'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs at least a headline and a link separated by \|/);
    expect(bad.stderr).toMatch(/usage: queue <headline> \| <summary> \| <link>/);
    expect(bad.stdout).toBe('');
    const list = await runCli(['--json', 'list', 'all'], env);
    expect(JSON.parse(list.stdout)).toMatchObject({ articles: [] });

    expect((await runCli(['frobnicate'], env)).code).toBe(2);
    expect((await runCli([], env)).code).toBe(2);
    expect(await runCli(['--help'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: npm run cli') });
  });

  it('exits 2 on bad configuration and 1 when the database cannot be opened', async () => {
    const badConfig = await runCli(['status'], childEnv({ NEWSDESK_DATA_DIR: tempDir(), NEWSDESK_TIMEZONE: 'Nowhere/City' }));
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/NEWSDESK_TIMEZONE/);

    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const broken = await runCli(['--json', 'status'], childEnv({ NEWSDESK_DATA_DIR: file }));
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ status: 'error', text: expect.stringMatching(/^cannot create the data folder .*set NEWSDESK_DATA_DIR to a writable folder$/) });
  });
});
