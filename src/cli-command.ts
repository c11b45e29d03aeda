import { createCliLogger } from './cli-log.js';
import { systemClock } from './clock.js';
import { createCommandContext } from './command-context.js';
import { createCommandCore } from './commands/command-core.js';
import { showTimesInEnglish } from './commands/when.js';
import { ConfigError, loadConfig } from './config.js';
import type { FeedService } from './feeds/feed-service.js';
import { storedRuntimeStatus } from './runtime-status.js';
import { noteCheckedClean, openDatabase } from './store/open-database.js';

/** What the CLI's entry point lends the command: its error printer and the local user's name. */
interface CliDoor {
  fail(json: boolean, code: number, message: string, data: Record<string, unknown>): number;
  user: string;
}

/**
 * Runs one CLI command (words already split, --json taken out): configuration, database, command core,
 * answer on stdout. Returns the exit code. Imported by cli.ts only once a command is given.
 */
export async function runCliCommand(words: string[], json: boolean, env: NodeJS.ProcessEnv, door: CliDoor): Promise<number> {
  showTimesInEnglish();
  let config;
  try {
    config = loadConfig(env, { needsChannel: false });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return door.fail(json, 2, err.message, { problems: err.problems });
  }

  let db;
  try {
    // The bot's integrity check, so the CLI never writes into a database the bot would refuse; it reads
    // every page, so it runs again only when the file changed since it was last found clean.
    db = openDatabase(config.databasePath, { checkIntegrity: 'when-changed' });
  } catch (err) {
    return door.fail(json, 1, (err as Error).message, {});
  }
  try {
    // Logs go to stderr: stdout is the command's answer (and one JSON object with --json).
    const log = await createCliLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, env);
    const ctx = createCommandContext(db, config, systemClock, {
      wake: () => undefined, // the running bot notices the write by itself
      runtime: (settings) => storedRuntimeStatus(settings, systemClock.now()),
      log,
      createFeeds: NO_FEEDS.has(words[0]!.toLowerCase()) ? () => feedsNotLoaded() : (await import('./feeds/feed-service.js')).createFeedService,
    });
    const core = createCommandCore(ctx, log);
    const result = await core.run(words.join(' '), { door: 'cli', id: `cli:${door.user}` });
    if (json) process.stdout.write(`${JSON.stringify({ status: result.status, text: result.text, ...result.data }, isoTimes)}\n`);
    else (result.status === 'ok' ? process.stdout : process.stderr).write(`${result.text}\n`);
    return result.status === 'ok' ? 0 : result.status === 'invalid' ? 2 : 1;
  } finally {
    db.close();
    noteCheckedClean(config.databasePath); // the close's checkpoint changed the file: our writes, not damage
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
            throw new Error(`the CLI did not load the feed engine for this command (feeds.${name}); remove the command from NO_FEEDS in src/cli-command.ts`);
          },
  });
}

