/**
 * The benchmark suite (`npm run bench`). Runs each module in turn and prints what it measures as it
 * goes; the last line on stdout is one JSON object with every figure, the targets and the environment,
 * for machines. A missed target is reported but does not fail the run (shared machines are noisy);
 * a benchmark that throws does (exit code 1).
 *
 * To add a benchmark: a file exporting `run(): Promise<Figures>` (and `targets`, if it has any),
 * added to MODULES below. Figure names must be unique across modules.
 *
 * `npm run bench -- <word> …` runs only the modules whose name contains one of the words
 * (e.g. `npm run bench -- feed crash`); targets whose figure was not measured are left out.
 */
import * as api from './api.js';
import * as cliStatus from './cli-status.js';
import * as cliToPost from './cli-to-post.js';
import * as crash from './crash.js';
import * as deskQueue from './desk-queue.js';
import * as diskFsync from './disk-fsync.js';
import * as feedsIngest from './feeds-ingest.js';
import * as feedsPoll from './feeds-poll.js';
import * as enqueueToPost from './enqueue-to-post.js';
import { describeEnvironment } from './environment.js';
import * as queueOps from './queue-ops.js';
import * as realWhatsApp from './real-whatsapp.js';
import { ratio, say, type BenchModule, type Figures, type Target } from './support.js';

const MODULES: readonly BenchModule[] = [
  { name: 'disk fsync (the floor under synchronous=FULL)', ...diskFsync },
  { name: 'enqueue to post (idle dispatcher, breaking, one at a time)', ...enqueueToPost },
  { name: 'queue ops (createArticleQueue vs bare SQL)', ...queueOps },
  { name: 'CLI status start-up (built CLI against bare node)', ...cliStatus },
  { name: 'CLI-queued breaking article to post (built bot, dry run)', ...cliToPost },
  { name: 'HTTP API enqueue (sequential, keep-alive)', ...api },
  { name: 'feed ingestion (10,000-item feed over local HTTP)', ...feedsIngest },
  { name: 'feed polling (1,000 feeds of 50 items, the real poller)', ...feedsPoll },
  { name: 'crash safety (1,000 articles, 300+ SIGKILLs of the built bot)', ...crash },
  { name: 'desk queue page (100,000 articles, server time)', ...deskQueue },
  { name: 'real whatsapp-web.js in Chromium against the fake WhatsApp Web (ready, 1,000 posts, 20+ SIGKILLs)', ...realWhatsApp },
];

interface TargetResult {
  limit: string;
  value: number | null;
  met: boolean;
}

async function main(): Promise<number> {
  const env = await describeEnvironment();
  console.log('Newsdesk benchmarks');
  for (const [key, value] of Object.entries(env)) say(key, String(value));

  const words = process.argv.slice(2).map((w) => w.toLowerCase());
  const chosen = words.length === 0 ? MODULES : MODULES.filter((m) => words.some((w) => m.name.toLowerCase().includes(w)));
  if (chosen.length === 0) {
    console.error(`no benchmark matches ${words.join(', ')}; the benchmarks are:\n${MODULES.map((m) => `  ${m.name}`).join('\n')}`);
    return 2;
  }

  const figures: Figures = {};
  const errors: Record<string, string> = {};
  for (const module of chosen) {
    console.log(`\n== ${module.name}`);
    const started = performance.now();
    try {
      const result = await module.run();
      for (const [name, value] of Object.entries(result)) {
        if (name in figures) throw new Error(`figure ${name} is reported by two benchmarks: rename one`);
        figures[name] = round(value);
      }
    } catch (err) {
      errors[module.name] = err instanceof Error ? err.message : String(err);
      console.error(`benchmark "${module.name}" failed:`, err);
    }
    say('took', `${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  console.log('\n== targets');
  const targets: Record<string, TargetResult> = {};
  for (const target of chosen.flatMap((m) => m.targets ?? [])) {
    const result = check(target, figures[target.figure]);
    targets[target.figure] = result;
    const margin = result.value === null || target.limit === 0 ? '' : `  (${ratio(result.value / target.limit)} of the limit)`;
    say(target.figure, `${result.value ?? 'missing'} ${result.limit}: ${result.met ? 'MET' : 'MISSED'}${margin}`);
  }

  const failed = Object.keys(errors).length > 0;
  console.log(JSON.stringify({ ...figures, targets, env, ...(failed ? { errors } : {}) }));
  return failed ? 1 : 0;
}

function check(target: Target, value: number | undefined): TargetResult {
  const limit = `${target.op} ${target.limit}`;
  if (value === undefined) return { limit, value: null, met: false };
  const met = target.op === '<=' ? value <= target.limit : value >= target.limit;
  return { limit, value, met };
}

/** Three decimals are more than the noise allows; the JSON stays readable. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

process.exitCode = await main();
