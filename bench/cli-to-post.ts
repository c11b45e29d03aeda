/**
 * A breaking article queued with the CLI (another process) while the built bot runs in dry-run mode:
 * time from the article's commit (its createdAt, in the CLI's --json answer) to its post (postedAt in
 * outbox.jsonl), both wall-clock ms on this machine. The bot notices other processes' writes through
 * SQLite's data_version; the promise is "within 1 second".
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ascending, percentile, say, spread, withTempDir, type Figures, type Target } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = 30;
const run = promisify(execFile);

export const targets: readonly Target[] = [{ figure: 'cliBreakingToPostP99Ms', op: '<=', limit: 1000 }];

function env(dataDir: string): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEWSDESK_')));
  return { ...clean, NEWSDESK_DATA_DIR: dataDir, NEWSDESK_MIN_GAP_SECONDS: '0', NEWSDESK_MAX_POSTS_PER_HOUR: '0', NEWSDESK_HTTP_PORT: '0', NEWSDESK_LOG_FORMAT: 'json', NEWSDESK_LOG_LEVEL: 'warn' };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function runBench(): Promise<Figures> {
  return withTempDir(async (dataDir) => {
    const e = env(dataDir);
    const bot = spawn(process.execPath, [path.join(ROOT, 'dist/main.js'), '--dry-run'], { env: e, stdio: ['ignore', 'ignore', 'inherit'] });
    const outbox = path.join(dataDir, 'outbox.jsonl');
    try {
      // Ready once the heartbeat says so; the CLI's status reads it.
      await waitFor(() => fs.existsSync(path.join(dataDir, 'newsdesk.db')), 10_000);
      for (;;) {
        const { stdout } = await run(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--json', 'status'], { env: e });
        if ((JSON.parse(stdout) as { running?: boolean }).running) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const samples: number[] = [];
      for (let i = 1; i <= SAMPLES; i += 1) {
        const { stdout } = await run(process.execPath, [path.join(ROOT, 'dist/cli.js'), '--json', 'breaking', `Bench ${i} | https://bench.example.com/${i}`], { env: e });
        const { article } = JSON.parse(stdout) as { article: { id: number; createdAt: string } };
        let line: { articleId: number; postedAt: string } | undefined;
        await waitFor(() => {
          if (!fs.existsSync(outbox)) return false;
          line = fs
            .readFileSync(outbox, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { articleId: number; postedAt: string })
            .find((l) => l.articleId === article.id);
          return line !== undefined;
        }, 10_000);
        samples.push(Date.parse(line!.postedAt) - Date.parse(article.createdAt));
      }
      say(`committed by the CLI -> posted (${SAMPLES}x)`, spread(samples));
      const sorted = ascending(samples);
      return { cliBreakingToPostP50Ms: percentile(sorted, 50), cliBreakingToPostP99Ms: percentile(sorted, 99) };
    } finally {
      bot.kill('SIGTERM');
      await new Promise((r) => bot.once('exit', r));
    }
  });
}

export { runBench as run };
