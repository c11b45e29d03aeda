/**
 * The CLI door: argv → the same command core as the bot → stdout and an exit code. Started by cli.ts
 * (the `newsdesk` command), which loads the bundled build of this file with V8's code cache.
 *
 * Each call is a new process, so start-up time is the CLI's speed: only Node's own modules are
 * imported up front; the configuration, the database and the command core (cli-command.ts) are
 * imported when a command needs them (`--help` loads nothing), the feed stack only for feed commands,
 * and pino only when JSON logs are asked for. The build also bundles this entry point
 * (scripts/build.mjs), which spares Node loading ~200 modules one by one.
 */
import os from 'node:os';

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

  // One dynamic import of everything a command needs: Node's ES module loader pays per file (resolve,
  // read, compile), so the core is one file of the bundle, not ten; the feed stack stays apart.
  const { runCliCommand } = await import('./cli-command.js');
  return runCliCommand(words, json, env, { fail, user: safeUser() });
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
