import type { Clock } from './clock.js';
import type { CommandContext, RuntimeStatus } from './commands/types.js';
import type { Config } from './config.js';
import type { createFeedService } from './feeds/feed-service.js';
import type { PollReport } from './feeds/poll/poll-report.js';
import type { Logger } from './log.js';
import { createArticleQueue } from './store/article-queue.js';
import { createArticleReports } from './store/article-reports.js';
import { createAuditLog } from './store/audit-log.js';
import { createDeskStore } from './store/desk-store.js';
import { backupDatabase } from './store/backup.js';
import type { Db } from './store/open-database.js';
import { createSettings } from './store/settings.js';
import { createEditions } from './commands/editions.js';
import { createEditionsStore } from './store/editions-store.js';
import { createWebhookStore } from './store/webhook-store.js';
import { createCorrectionsStore } from './store/corrections-store.js';
import { channelDefaultsOf, createChannelsStore } from './store/channels-store.js';
import { createArticleChannels } from './store/article-channels.js';
import type { ChannelSpec } from './editions/channel-spec.js';
import { routeArticle } from './editions/routing.js';

/** Builds what the command core needs over one database connection (bot and CLI alike). */
export function createCommandContext(
  db: Db,
  config: Config,
  clock: Clock,
  hooks: {
    wake: () => void;
    runtime: (settings: ReturnType<typeof createSettings>) => RuntimeStatus;
    log: Logger;
    /** Told about every feed poll (metrics). */
    onFeedPolled?: (report: PollReport) => void;
    /**
     * Builds the feed engine: createFeedService. Passed in, not imported here, so the CLI loads the
     * feed stack (HTTP client, parsers: a third of its start-up) only for the commands that use feeds.
     */
    createFeeds: typeof createFeedService;
  },
): CommandContext {
  const settings = createSettings(db);
  const articleChannels = createArticleChannels(db);
  const channels = createChannelsStore(db, channelDefaultsOf(config), { cancel: (id, now, channel) => void articleChannels.cancel(id, now, channel) });
  // Routing reads the registry at every enqueue, again only when another process changed it (revision).
  let known: { revision: number; list: ChannelSpec[] } | null = null;
  const registry = (): ChannelSpec[] => {
    const revision = channels.revision();
    if (known?.revision !== revision) known = { revision, list: channels.list() };
    return known.list;
  };
  const queue = createArticleQueue(db, {
    defaultChannel: config.channelName,
    route: (article, explicit) => routeArticle(article, registry(), explicit),
  });
  const feeds = hooks.createFeeds({
    db,
    queue,
    clock,
    log: hooks.log.child({ part: 'feeds' }),
    onQueued: hooks.wake,
    onPolled: hooks.onFeedPolled,
    defaults: { everyMinutes: config.feedEveryMinutes, maxPerPoll: config.feedMaxPerPoll },
  });
  return {
    queue,
    feeds,
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
    desk: createDeskStore(db),
    editions: createEditions({
      store: createEditionsStore(db),
      format: { summaryMaxChars: config.summaryMaxChars, breakingLabel: config.breakingLabel },
      timezone: config.timezone,
      // Every channel of the registry (asked at each use): `template set sport …` for an added channel too.
      channels: () => registry().map((c) => c.name),
    }),
    webhooks: { store: createWebhookStore(db), urls: config.webhooks },
    // The bot applies a correction within a few seconds when connected; longer and the reply says it is recorded.
    corrections: { store: createCorrectionsStore(db), waitMs: Math.min(30_000, config.sendTimeoutMs * 2) },
    // `channel remove … force` cancels what waits there through the delivery side's store (keeps each article's aggregate).
    channels,
  };
}
