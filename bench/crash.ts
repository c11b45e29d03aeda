import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { describeReport, runCrashLoop, type BotProcess } from '../test/helpers/crash-harness.js';
import { jsonLine, MAIN, ROOT } from '../test/helpers/processes.js';
import { say, withTempDir, type Figures, type Target } from './support.js';

const ARTICLES = 1_000;
const MIN_KILLS = 300;
const BUDGET_MS = 10 * 60_000;

/** Nothing lost, nothing twice, and enough kills for that to mean something. */
export const targets: readonly Target[] = [
  { figure: 'lost', op: '<=', limit: 0 },
  { figure: 'duplicated', op: '<=', limit: 0 },
  { figure: 'crashDisagreements', op: '<=', limit: 0 },
  { figure: 'crashKills', op: '>=', limit: MIN_KILLS },
];

/**
 * The long crash run: the built bot (`node dist/main.js --dry-run`) SIGKILLed at random moments until
 * 1,000 articles are settled, then outbox.jsonl and the database are checked against each other (the
 * harness the CI test uses, with more articles and kills). A new seed each run explores new kill
 * moments; NEWSDESK_CRASH_SEED=<n> replays one.
 */
export async function run(): Promise<Figures> {
  const seed = Number(process.env.NEWSDESK_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  return withTempDir(async (dir) => {
    const report = await runCrashLoop({
      dataDir: path.join(dir, 'data'),
      articles: ARTICLES,
      minKills: MIN_KILLS,
      seed,
      start: spawnBot,
      timeBudgetMs: BUDGET_MS,
      progress: (message) => say('progress', message),
    });
    for (const line of describeReport(report).split('\n')) console.log(`  ${line}`);
    const { verdict } = report;
    for (const problem of verdict.disagreements.slice(0, 20)) say('DISAGREEMENT', problem);
    if (verdict.lost.length > 0) say('lost articles', verdict.lost.slice(0, 50).join(', '));
    if (verdict.duplicated.length > 0) say('duplicated articles', verdict.duplicated.slice(0, 50).join(', '));
    const inAttempt = report.killsByPhase['claimed, not written'] + report.killsByPhase['written, not confirmed'] + report.killsByPhase['torn write'];
    return {
      crashSeed: seed,
      crashKills: report.kills,
      crashRestarts: report.restarts,
      crashKillsInAttempt: inAttempt,
      lost: verdict.lost.length,
      duplicated: verdict.duplicated.length,
      crashDisagreements: verdict.disagreements.length,
      tornLines: verdict.tornLines,
      abandonedAttempts: verdict.abandonedAttempts,
      crashSeconds: report.elapsedMs / 1000,
    };
  });
}

/**
 * processes.ts's startBot without its vitest hook (the bench runs outside a test; the harness kills
 * every child it starts). Keeps no stdout history: only the waiters see the lines.
 */
function spawnBot(args: string[], env: NodeJS.ProcessEnv): BotProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  const waiters = new Set<(line: { raw: string; json: Record<string, unknown> | null }) => void>();
  readline.createInterface({ input: child.stdout }).on('line', (raw) => {
    const json = jsonLine(raw);
    for (const waiter of [...waiters]) waiter({ raw, json });
  });
  readline.createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stderr,
    exited,
    waitForLine(match, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching line within ${ms} ms; stderr:\n${stderr.join('\n')}`));
        }, ms);
        function check(line: { raw: string; json: Record<string, unknown> | null }): void {
          if (!match(line)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
        waiters.add(check);
      });
    },
  };
}
