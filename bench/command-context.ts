import { systemClock } from '../src/clock.js';
import { createCommandContext } from '../src/command-context.js';
import type { CommandContext, RuntimeStatus } from '../src/commands/types.js';
import { loadConfig } from '../src/config.js';
import { createFeedService } from '../src/feeds/feed-service.js';
import type { Db } from '../src/store/open-database.js';
import { silentLogger } from './support.js';

/**
 * The command context a bench runs the command core over: the bot's own (createCommandContext, with
 * editions, webhooks and corrections), from the real configuration loader with the bench's settings,
 * so a bench measures what the bot does and follows it when the context grows.
 */
export function createBenchCommandContext(db: Db, dataDir: string, options: { timezone?: string; runtime: () => RuntimeStatus }): CommandContext {
  const config = loadConfig({ NEWSDESK_DATA_DIR: dataDir, NEWSDESK_TIMEZONE: options.timezone ?? 'UTC' }, { needsChannel: false });
  return createCommandContext(db, config, systemClock, {
    wake: () => undefined,
    runtime: options.runtime,
    log: silentLogger,
    createFeeds: createFeedService,
  });
}
