#!/usr/bin/env node
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { startApp, type App } from './app.js';
import { raceTimer, systemClock, TIMED_OUT } from './clock.js';
import { showTimesInEnglish } from './commands/when.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { errorDetail } from './log.js';
import { createLogger } from './pino-logger.js';
import { DataFolderLockedError, lockDataFolder, type DataLock } from './store/data-lock.js';

const USAGE = `Usage: npm start -- [--dry-run]        (npm needs the "--", or it takes the options for itself)
       node dist/main.js [--dry-run]

  --dry-run   post to <data>/outbox.jsonl and the terminal instead of WhatsApp (no phone needed)
  --help      show this help

Configuration comes from NEWSDESK_* environment variables: see the README's configuration table.`;

/** The longest a stop may take before the process exits anyway (the browser is killed on exit). */
const STOP_DEADLINE_MS = 45_000;

/** Entry point of the bot. Exit codes: 0 clean stop, 1 failure, 2 bad arguments or configuration. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Everything Newsdesk creates (data folder, database, backups, session, outbox) is the owner's only.
  process.umask(0o077);
  let args;
  try {
    args = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // `npm start --dry-run` (without "--") gives the flag to npm, which only tells us through
  // npm_config_dry_run. The intent is plain and a dry run posts nothing: honour it, and say how to write it.
  const npmAteDryRun = args.values['dry-run'] !== true && env.npm_config_dry_run === 'true';
  if (npmAteDryRun) process.stderr.write('npm took --dry-run for itself; starting a dry run anyway. Write it as: npm start -- --dry-run\n');
  const dryRun = args.values['dry-run'] === true || npmAteDryRun;

  let config;
  try {
    config = loadConfig(env, { needsChannel: !dryRun });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${err.message}\nNothing was started. Fix the variables above and start again ` +
          '(with Docker Compose they go in newsdesk.env: cp newsdesk.env.example newsdesk.env, then fill it in).\n',
      );
      return 2;
    }
    throw err;
  }

  // Without a browser WhatsApp can never connect: say so now instead of retrying for ever.
  if (!dryRun && !isExecutable(config.chromiumPath)) {
    process.stderr.write(
      `Chromium was not found at ${config.chromiumPath}: install it (apt-get install -y chromium) or set NEWSDESK_CHROMIUM_PATH to the browser. ` +
        'Nothing was started. (No phone at hand? npm start -- --dry-run needs no browser.)\n',
    );
    return 2;
  }

  // One bot per data folder: a second one would re-queue the first one's posts in flight (a double
  // post) and pull the browser profile from under it. The CLI and backups do not need this lock.
  let lock: DataLock;
  try {
    lock = lockDataFolder(config.dataDir);
  } catch (err) {
    if (err instanceof DataFolderLockedError) {
      process.stderr.write(`${err.message}\nNothing was started.\n`);
      return 2;
    }
    process.stderr.write(`cannot lock the data folder ${config.dataDir}: ${(err as Error).message}; set NEWSDESK_DATA_DIR to a writable folder\n`);
    return 1;
  }
  const code = await run(config, dryRun, env);
  lock.release();
  return code;
}

/** Runs the bot until a signal stops it. */
async function run(config: Config, dryRun: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const log = createLogger(config.logLevel, env);
  showTimesInEnglish();
  process.on('unhandledRejection', (reason) => {
    // Last-resort boundary: whatsapp-web.js can reject promises nobody awaits. Log, keep running.
    log.error({ ...errorDetail(reason) }, 'unhandled promise rejection');
  });

  // Signals are handled from here on, so a stop that arrives while starting is a clean stop too.
  let signalled: NodeJS.Signals | null = null;
  let onStop: (signal: NodeJS.Signals) => void = (signal) => {
    signalled = signal;
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    onStop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let app: App;
  try {
    app = await startApp({ config, log, dryRun });
  } catch (err) {
    log.fatal({ ...errorDetail(err) }, `cannot start: ${(err as Error).message}`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    onStop = (signal) => {
      log.info({ signal }, 'stopping');
      // Each step of a stop is bounded, but a hung browser can stack several bounds: never outlast the
      // container's stop timeout (60 s in the README), which would SIGKILL us at a moment of its choosing.
      raceTimer(systemClock, STOP_DEADLINE_MS, app.stop()).then(
        (result) => {
          if (result !== TIMED_OUT) return resolve(0);
          log.error({ deadlineMs: STOP_DEADLINE_MS }, 'stopping took too long; exiting now (a post in flight is checked against the channel at the next start)');
          resolve(1);
        },
        (err: unknown) => {
          log.error({ ...errorDetail(err) }, 'error while stopping');
          resolve(1);
        },
      );
    };
    if (signalled) onStop(signalled);
  });
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false; // missing or not executable: the caller says how to install it
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`newsdesk: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
