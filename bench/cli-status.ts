/**
 * How fast the CLI answers: `node dist/cli.js status` (the built, bundled CLI, as `npm run cli --
 * status` runs it after its staleness check) against bare `node -e 0`, the floor any Node program
 * pays. The two are timed in turns, so a busy machine slows both alike; the ratio is the figure that
 * travels between machines.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
// @ts-expect-error -- plain JavaScript build script (it runs before anything is compiled), no types
import { isStale } from '../scripts/build.mjs';
import { median, ms, ratio, say, withTempDir, type Figures, type Target } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/cli.js');
const RUNS = 21;

export const targets: readonly Target[] = [
  { figure: 'cliStatusMs', op: '<=', limit: 250 },
  { figure: 'cliVsNodeStartRatio', op: '<=', limit: 5 },
];

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { env, stdio: 'ignore' });
  return performance.now() - started;
}

export async function run(): Promise<Figures> {
  return withTempDir(async (dataDir) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEWSDESK_')));
    const env = { ...clean, NEWSDESK_DATA_DIR: dataDir };
    timed([CLI, 'queue', 'Warm-up | https://bench.example.com/warm-up'], env); // creates the database
    timed(['-e', '0'], env);
    const cli: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      cli.push(timed([CLI, 'status'], env));
      bare.push(timed(['-e', '0'], env));
    }
    const checks: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const started = performance.now();
      (isStale as () => boolean)();
      checks.push(performance.now() - started);
    }
    const figures = { cliStatusMs: median(cli), nodeStartMs: median(bare), cliVsNodeStartRatio: median(cli) / median(bare), buildStaleCheckMs: median(checks) };
    say(`node dist/cli.js status (median of ${RUNS})`, ms(figures.cliStatusMs));
    say(`node -e 0 (median of ${RUNS})`, ms(figures.nodeStartMs));
    say('CLI over bare Node start', ratio(figures.cliVsNodeStartRatio));
    say('build staleness check (npm run cli)', ms(figures.buildStaleCheckMs));
    return figures;
  });
}
