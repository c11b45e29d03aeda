import { createCorrectionsStore } from '../../src/store/corrections-store.js';
import path from 'node:path';
import { createCommandCore } from '../../src/commands/command-core.js';
import type { Actor, CommandContext, RuntimeStatus } from '../../src/commands/types.js';
import { createFeedService } from '../../src/feeds/feed-service.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { createArticleReports } from '../../src/store/article-reports.js';
import { createAuditLog } from '../../src/store/audit-log.js';
import { backupDatabase } from '../../src/store/backup.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createSettings } from '../../src/store/settings.js';
import { createArticleChannels } from '../../src/store/article-channels.js';
import { createChannelsStore } from '../../src/store/channels-store.js';
import { routeArticle } from '../../src/editions/routing.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from './temp-dir.js';

export const ADMIN: Actor = { door: 'whatsapp', id: 'admin:+60123456789' };

/** A command core over a real SQLite file in a temp folder, with a fake clock. */
export function commandSetup(runtime: Partial<RuntimeStatus> = {}) {
  const clock = createFakeClock();
  const dataDir = tempDir();
  const db = openDatabase(path.join(dataDir, 'newsdesk.db'));
  const { log, entries } = createMemoryLogger();
  let wakes = 0;
  const articleChannels = createArticleChannels(db);
  // The registry as the bot builds it: `main` is the config channel (command-context.ts).
  const channels = createChannelsStore(
    db,
    { name: 'main', target: '120363000000000001@newsletter', minGapMs: 120_000, maxPerHour: 20, quietHours: null },
    { cancel: (id, now, channel) => void articleChannels.cancel(id, now, channel) },
  );
  // Routing over the registry, as command-context.ts wires it.
  const queue = createArticleQueue(db, { defaultChannel: 'main', route: (article, explicit) => routeArticle(article, channels.list(), explicit) });
  const ctx: CommandContext = {
    queue,
    feeds: createFeedService({ db, queue, clock, log, onQueued: () => (wakes += 1) }),
    reports: createArticleReports(db),
    audit: createAuditLog(db),
    settings: createSettings(db),
    clock,
    timezone: 'Asia/Kuala_Lumpur',
    format: { summaryMaxChars: 200, breakingLabel: '🔴 BREAKING' },
    dataDir,
    backup: (file) => backupDatabase(db, file),
    wake: () => {
      wakes += 1;
    },
    runtime: () => ({
      running: true,
      dryRun: false,
      channel: { state: 'ready', since: clock.now() },
      channelInfo: { id: '120363000000000001@newsletter', name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaHarianNews0000000' },
      nextWakeAt: null,
      heartbeatAt: clock.now(),
      ...runtime,
    }),
    // No bot applies corrections here: `correct` records them and answers at once.
    corrections: { store: createCorrectionsStore(db), waitMs: 0 },
    channels,
  };
  const core = createCommandCore(ctx, log);
  /** Everything the commands can write, to prove that refused input wrote nothing. */
  const snapshot = () => ({
    articles: db.prepare('SELECT * FROM articles ORDER BY id').all(),
    deliveries: db.prepare('SELECT * FROM deliveries ORDER BY id').all(),
    settings: db.prepare(`SELECT * FROM settings ORDER BY key`).all(),
  });
  return { clock, db, dataDir, ctx, core, log, entries, snapshot, wakes: () => wakes };
}
