#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startApp, type App } from './app.js';
import { raceTimer, systemClock, TIMED_OUT } from './clock.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, errorDetail } from './log.js';

const USAGE = `Usage: npm start [-- --dry-run]

  --dry-run   post to <data>/outbox.jsonl and the terminal instead of WhatsApp (no phone needed)
  --help      show this help

Configuration comes from NEWSDESK_* environment variables: see the README's configuration table.`;

/** The longest a stop may take before the process exits anyway (the browser is killed on exit). */
const STOP_DEADLINE_MS = 45_000;

/** Entry point of the bot. Exit codes: 0 clean stop, 1 failure, 2 bad arguments or configuration. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  // Everything Newsdesk creates (data folder, database, backups, session, outbox) is the owner's only.
  process.umask(0o077);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dryRun = args.values['dry-run'] === true;

  let config;
  try {
    config = loadConfig(env, { needsChannel: !dryRun });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nNothing was started. Fix the variables above and start again.\n`);
      return 2;
    }
    throw err;
  }

  const log = createLogger(config.logLevel, env);
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

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`newsdesk: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
