import type { Clock } from './clock.js';
import type { CommandContext, RuntimeStatus } from './commands/types.js';
import type { Config } from './config.js';
import { createArticleQueue } from './store/article-queue.js';
import { createArticleReports } from './store/article-reports.js';
import { createAuditLog } from './store/audit-log.js';
import { backupDatabase } from './store/backup.js';
import type { Db } from './store/open-database.js';
import { createSettings } from './store/settings.js';

/** Builds what the command core needs over one database connection (bot and CLI alike). */
export function createCommandContext(
  db: Db,
  config: Config,
  clock: Clock,
  hooks: { wake: () => void; runtime: (settings: ReturnType<typeof createSettings>) => RuntimeStatus },
): CommandContext {
  const settings = createSettings(db);
  return {
    queue: createArticleQueue(db),
    reports: createArticleReports(db),
    audit: createAuditLog(db),
    settings,
    clock,
    timezone: config.timezone,
    dataDir: config.dataDir,
    backup: (file) => backupDatabase(db, file),
    format: { summaryMaxChars: config.summaryMaxChars, breakingLabel: config.breakingLabel },
    wake: hooks.wake,
    runtime: () => hooks.runtime(settings),
  };
}
