#!/usr/bin/env node
/**
 * The CLI door: argv → the same command core as the bot → stdout and an exit code.
 *
 * Each call is a new process, so start-up time is the CLI's speed: only Node's own modules are
 * imported up front; the configuration, the database and the command core are imported when a command
 * needs them (`--help` loads nothing), and pino only when JSON logs are asked for. The build also
 * bundles this entry point into one file (scripts/build.mjs), which spares Node loading ~200 modules
 * one by one.
 */
import os from 'node:os';
import type { FeedService } from './feeds/feed-service.js';

const USAGE = `Usage: npm run cli -- [--json] <command> [arguments]
       npx newsdesk [--json] <command> [arguments]     (same thing; inside the container: newsdesk …)

Runs one admin command against the same database as the bot (it may be running).
  --json                 print one JSON object instead of text (times in ISO 8601)
  list … --offset <n>    skip the first n articles; list … --cursor <c> continues where the
                         previous page ended ("nextCursor" in --json), so scripts can read every article
Exit status: 0 done, 2 bad input (nothing written), 1 failure.
With npm, put "--" before the command, or npm takes the options for itself:
  npm run cli -- status --json
Send "help" for the commands, e.g.: npm run cli -- help queue`;

/** The CLI door: argv → the command core → stdout and an exit code. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Everything Newsdesk creates (data folder, database, backups, session, outbox) is the owner's only.
  process.umask(0o077);
  // `npm run cli status --json` (without "--") gives npm the --json: it never reaches argv, but npm
  // tells its scripts through npm_config_json. The intent is plain, so honour it, and say how to write it.
  const npmAteJson = env.npm_config_json === 'true' && !argv.includes('--json');
  if (npmAteJson) {
    process.stderr.write(`newsdesk: npm took --json for itself; write it after "--": npm run cli -- ${argv.join(' ')} --json\n`);
  }
  const json = npmAteJson || argv.includes('--json');
  const words = argv.filter((a) => a !== '--json');
  if (words.length === 0 || words[0] === '--help' || words[0] === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return words.length === 0 ? 2 : 0;
  }

  const { ConfigError, loadConfig } = await import('./config.js');
  let config;
  try {
    config = loadConfig(env, { needsChannel: false });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return fail(json, 2, err.message, { problems: err.problems });
  }

  const { openDatabase } = await import('./store/open-database.js');
  let db;
  try {
    // The same integrity check as the bot's: never write into a database the bot would refuse.
    db = openDatabase(config.databasePath, { checkIntegrity: true });
  } catch (err) {
    return fail(json, 1, (err as Error).message, {});
  }
  try {
    const [{ createCliLogger }, { systemClock }, { createCommandContext }, { createCommandCore }, { storedRuntimeStatus }] = await Promise.all([
      import('./cli-log.js'),
      import('./clock.js'),
      import('./command-context.js'),
      import('./commands/command-core.js'),
      import('./runtime-status.js'),
    ]);
    // Logs go to stderr: stdout is the command's answer (and one JSON object with --json).
    const log = await createCliLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, env);
    const ctx = createCommandContext(db, config, systemClock, {
      wake: () => undefined, // the running bot notices the write by itself
      runtime: (settings) => storedRuntimeStatus(settings, systemClock.now()),
      log,
      createFeeds: NO_FEEDS.has(words[0]!.toLowerCase()) ? () => feedsNotLoaded() : (await import('./feeds/feed-service.js')).createFeedService,
    });
    const core = createCommandCore(ctx, log);
    const result = await core.run(words.join(' '), { door: 'cli', id: `cli:${safeUser()}` });
    if (json) process.stdout.write(`${JSON.stringify({ status: result.status, text: result.text, ...result.data }, isoTimes)}\n`);
    else (result.status === 'ok' ? process.stdout : process.stderr).write(`${result.text}\n`);
    return result.status === 'ok' ? 0 : result.status === 'invalid' ? 2 : 1;
  } finally {
    db.close();
  }
}

/**
 * JSON output gives every time as ISO 8601, like the articles' fields: the few commands whose data
 * carries epoch milliseconds (feeds: lastSuccessAt, nextPollAt, …) are converted here, by the `…At` name.
 */
function isoTimes(key: string, value: unknown): unknown {
  return key.endsWith('At') && typeof value === 'number' && Number.isFinite(value) && value > 0 ? new Date(value).toISOString() : value;
}

/**
 * Commands known not to touch feeds: for these the CLI does not load the feed stack (its HTTP client
 * and parsers are a third of the start-up). Any other command, including ones added later, gets it.
 */
const NO_FEEDS = new Set(['status', 'list', 'show', 'queue', 'breaking', 'schedule', 'preview', 'cancel', 'retry', 'pause', 'resume', 'log', 'channel', 'audit', 'backup', 'help']);

/** Stands in for the feed engine where NO_FEEDS says it is not needed; a use is a bug in that list. */
function feedsNotLoaded(): FeedService {
  return new Proxy({} as FeedService, {
    get: (_target, name) =>
      name === 'then' || typeof name === 'symbol'
        ? undefined // not a promise, not iterable
        : () => {
            throw new Error(`the CLI did not load the feed engine for this command (feeds.${name}); remove the command from NO_FEEDS in src/cli.ts`);
          },
  });
}

function fail(json: boolean, code: number, message: string, data: Record<string, unknown>): number {
  if (json) process.stdout.write(`${JSON.stringify({ status: code === 2 ? 'invalid' : 'error', text: message, ...data })}\n`);
  else process.stderr.write(`${message}\n`);
  return code;
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown'; // containers may run as a uid without a passwd entry
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`newsdesk: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
