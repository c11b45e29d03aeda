import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { startFeedServer } from '../feeds/support/feed-server.js';
import { item, rss } from '../feeds/support/feed-setup.js';
import { childEnv, CLI, runCli } from '../helpers/processes.js';
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
    expect(bad.stderr).toMatch(/usage: queue \[image=<url>\] \[channel=<names>\] <headline> \| <summary> \| <link>/);
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

/** A database with `n` articles, written by the store in this process (the CLI reads it as a child). */
function seeded(n: number, summary = ''): { dataDir: string; env: NodeJS.ProcessEnv } {
  const dataDir = tempDir();
  const db = openDatabase(path.join(dataDir, 'newsdesk.db'));
  const queue = createArticleQueue(db);
  db.transaction(() => {
    for (let i = 1; i <= n; i += 1) queue.enqueue({ headline: `Story ${i}`, summary, url: `https://news.example.com/${i}` }, 1_700_000_000_000 + i);
  })();
  db.close();
  return { dataDir, env: childEnv({ NEWSDESK_DATA_DIR: dataDir }) };
}

const json = (out: { stdout: string }) => JSON.parse(out.stdout) as Record<string, unknown> & { articles: { id: number }[]; nextCursor: string | null };

describe('CLI paging: list reads every article, 100 at a time', () => {
  it('follows nextCursor to the end, and --offset skips', async () => {
    const { env } = seeded(230);
    const ids: number[] = [];
    let page = json(await runCli(['--json', 'list', 'all', '100'], env));
    ids.push(...page.articles.map((a) => a.id));
    while (page.nextCursor) {
      page = json(await runCli(['--json', 'list', 'all', '100', '--cursor', page.nextCursor], env));
      ids.push(...page.articles.map((a) => a.id));
    }
    expect(ids).toEqual(Array.from({ length: 230 }, (_, i) => 230 - i));

    const skipped = await runCli(['--json', 'list', 'all', '100', '--offset', '200'], env);
    expect(json(skipped).articles.map((a) => a.id)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(json(skipped).nextCursor).toBeNull();

    const human = await runCli(['list', 'all', '2'], env);
    expect(human.stdout).toMatch(/^more: list all 2 --cursor [A-Za-z0-9_-]+$/m);
    const wrong = await runCli(['list', 'posted', '--cursor', json(await runCli(['--json', 'list', 'all', '2'], env)).nextCursor!], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/that cursor continues "list all", not "list posted"/);
    expect((await runCli(['list', 'all', '--cursor', 'not!a!cursor'], env)).code).toBe(2);
  }, 60_000); // several CLI processes: slow on a loaded machine
});

describe('CLI refuses a damaged database, as the bot does', () => {
  it('exits 1 with the recovery steps and queues nothing', async () => {
    const { dataDir, env } = seeded(400, 'x'.repeat(150));
    const file = path.join(dataDir, 'newsdesk.db');
    const db = openDatabase(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096 * 3, 0x5a), 0, 4096 * 3, 4096 * 5); // scribble over a few pages
    fs.closeSync(fd);
    const before = fs.readFileSync(file);

    const queued = await runCli(['queue', `Floods rise | ${URL1}`], env);
    expect(queued.code).toBe(1);
    expect(queued.stdout).toBe('');
    expect(queued.stderr).toMatch(/is damaged/);
    expect(queued.stderr).toMatch(/restore the newest backup/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const status = await runCli(['--json', 'status'], env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'error', text: expect.stringMatching(/is damaged/) });
  });
});

describe('CLI backup: bad targets are bad input, and a killed backup leaves nothing under the final name', () => {
  it('refuses /proc/self/nope/x.db, a 300-character name and a dangling symlink with exit 2', async () => {
    const { dataDir, env } = seeded(3);
    const proc = await runCli(['backup', '/proc/self/nope/x.db'], env);
    expect(proc).toMatchObject({ code: 2, stdout: '' });
    expect(proc.stderr).toMatch(/cannot write a backup to \/proc\/self\/nope\/x\.db/);

    const long = await runCli(['backup', `${'a'.repeat(297)}.db`], env);
    expect(long).toMatchObject({ code: 2, stdout: '' });
    expect(long.stderr).toMatch(/the file name is 300 characters/);

    const elsewhere = path.join(tempDir(), 'written-through-the-link.db');
    fs.mkdirSync(path.join(dataDir, 'backups'));
    fs.symlinkSync(elsewhere, path.join(dataDir, 'backups', 'nightly.db'));
    const linked = await runCli(['backup', 'nightly.db'], env);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/already exists/);
    expect(fs.existsSync(elsewhere)).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, 'backups'))).toEqual(['nightly.db']);

    const good = await runCli(['--json', 'backup', 'good.db'], env);
    expect(good.code).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'backups')).sort()).toEqual(['good.db', 'nightly.db']); // no temporary left
  }, 60_000); // several CLI processes: slow on a loaded machine

  it('killed as soon as it starts writing: the final name is absent (or, if it finished first, complete)', async () => {
    const { env } = seeded(6000, 'y'.repeat(1500)); // ~10 MB: the copy takes a while
    const target = tempDir();
    const file = path.join(target, 'copy.db');
    const child = spawn(process.execPath, [CLI, 'backup', file], { env, stdio: 'ignore' });
    const watcher = fs.watch(target, () => child.kill('SIGKILL'));
    await new Promise((resolve) => child.on('exit', resolve));
    watcher.close();
    if (fs.existsSync(file)) {
      const copy = openDatabase(file, { checkIntegrity: true });
      expect(createArticleQueue(copy).get(6000)?.headline).toBe('Story 6000');
      copy.close();
    }
    // A kill can leave the hidden temporary copy (and SQLite's journal of it), never a file under the final name.
    expect(fs.readdirSync(target).filter((f) => !/\.partial(-journal|-wal|-shm)?$/.test(f))).toEqual(fs.existsSync(file) ? ['copy.db'] : []);
  }, 60_000); // several CLI processes: slow on a loaded machine
});

describe('CLI on a terminal and with npm', () => {
  it('logs plain lines on stderr (never JSON mixed into human text) and gives times in --json as ISO 8601', async () => {
    const server = await startFeedServer();
    const feed = server.serve('/news.rss', { body: rss([1, 2].map((n) => item(n))) });
    const env = childEnv({ NEWSDESK_DATA_DIR: tempDir(), NEWSDESK_LOG_LEVEL: 'debug' });
    delete env.NEWSDESK_LOG_FORMAT; // what a person at a terminal has
    const added = await runCli(['feed', 'add', feed], env);
    expect(added.code).toBe(0);
    const lines = added.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^newsdesk (trace|debug|info|warn|error|fatal): /);

    const feeds = await runCli(['--json', 'feeds'], env);
    const [first] = (JSON.parse(feeds.stdout) as { feeds: Record<string, unknown>[] }).feeds;
    const times = Object.entries(first!).filter(([key]) => key.endsWith('At'));
    expect(times.length).toBeGreaterThan(0);
    for (const [key, value] of times) expect([key, value === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(String(value))]).toEqual([key, true]);

    const machine = await runCli(['feeds'], { ...env, NEWSDESK_LOG_FORMAT: 'json' });
    expect(machine.code).toBe(0);
  }, 60_000); // several CLI processes: slow on a loaded machine

  it('answers in JSON when npm took --json for itself (npm run cli status --json), and says how to write it', async () => {
    const env = { ...childEnv({ NEWSDESK_DATA_DIR: tempDir() }), npm_config_json: 'true' };
    const out = await runCli(['status'], env);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'ok', running: false });
    expect(out.stderr).toContain('npm run cli -- status --json');
  });
});
