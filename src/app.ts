import { formatPost } from './articles/format.js';
import type { Channel } from './channel/channel.js';
import { createOutboxChannel } from './channel/outbox.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDispatcher, type DispatcherEvents } from './dispatch/dispatcher.js';
import { createDeliveryChannels } from './dispatch/delivery-channels.js';
import { startWakeSchedule } from './dispatch/wake-schedule.js';
import { errorDetail, type Logger } from './log.js';
import type { DirectMessages } from './channel/direct-messages.js';
import { createCommandContext } from './command-context.js';
import { createFeedService } from './feeds/feed-service.js';
import { createCommandCore } from './commands/command-core.js';
import { startAdminNotices } from './commands/admin-notices.js';
import { createInbox } from './commands/inbox.js';
import { createReceipts } from './commands/receipts.js';
import { liveRuntimeStatus, startHeartbeat } from './runtime-status.js';
import { createApiCore } from './http/core-adapter.js';
import { createMetrics } from './http/metrics.js';
import { createHttpServer } from './http/server.js';
import { watchForOtherWriters } from './store/change-watcher.js';
import { createChangeFeed } from './store/change-feed.js';
import { RUNNING_BUSY_TIMEOUT_MS } from './store/busy-retry.js';
import { openDatabase } from './store/open-database.js';
import { createWebhookSender, recordMissedEvents, webhookEvents } from './webhooks/webhook-sender.js';
import { createImageFetcher } from './channel/image-fetch.js';
import { createCorrectionWorker } from './dispatch/correction-worker.js';
import { correctionFollowUp } from './articles/correction-text.js';
import { trackedLink } from './articles/tracked-link.js';
import { digestPostText, isDigestArticle } from './editions/digest.js';
import { startDigestSchedule } from './editions/digest-schedule.js';
import { createDigestStore } from './store/digest-store.js';
import { startCheckpointer } from './store/checkpointer.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  dryRun: boolean;
  clock?: Clock;
  /** Replaces the channel the config would build (tests and benchmarks). */
  channel?: Channel | (Channel & DirectMessages);
  /** Extra listeners for posted / failed articles (tests, metrics). */
  events?: DispatcherEvents;
  /** How often to look for writes by other processes (the CLI): a few microseconds each. Default 50 ms. */
  watchIntervalMs?: number;
}

/**
 * Wires the running bot together: store → channel → dispatcher, woken by the schedule, by other
 * processes' writes and by the channel becoming ready. Returns a handle whose stop() undoes it all.
 */
export async function startApp(options: AppOptions) {
  const { config, log, dryRun } = options;
  const clock = options.clock ?? systemClock;
  // A short busy timeout: the bot's event loop serves WhatsApp, HTTP and posting, so a lock held by
  // another process is waited for asynchronously (busy-retry.ts), never inside SQLite for long.
  const db = openDatabase(config.databasePath, { checkIntegrity: true, busyTimeoutMs: RUNNING_BUSY_TIMEOUT_MS });
  // WAL checkpoints in a worker thread, not inside a commit on the event loop (store/checkpointer.ts).
  const checkpointer = startCheckpointer(db, config.databasePath, {
    delayMs: 5_000,
    onFailure: (reason) => log.warn({ reason }, 'the checkpoint worker failed: SQLite checkpoints inside commits again (slower turns, nothing lost)'),
  });
  // Another channel's target comes from the registry when it is first posted to (read after start-up only).
  const channel = options.channel ?? (await buildChannel(config, log, clock, dryRun, (name) => deliveryChannels?.spec(name)?.target ?? null));
  const messages = hasDirectMessages(channel) ? channel : null;
  // The hooks are only called once commands run, after `dispatcher` below exists.
  const ctx = createCommandContext(db, config, clock, {
    wake: () => {
      dispatcher.wake('command');
      corrections?.wake();
    },
    runtime: () => liveRuntimeStatus(channel, dispatcher, dryRun, clock),
    log,
    createFeeds: createFeedService,
    onFeedPolled: (report) => {
      if (report.status === 'failed') metrics.recordFeedPollError();
    },
  });
  const { queue, settings } = ctx;
  const receipts = messages
    ? createReceipts({ messages, channelInfo: () => channel.info(), timezone: config.timezone, log, admins: config.admins })
    : {};
  const metrics = createMetrics({
    articleCounts: () => ctx.reports.counts(clock.now()),
    channelCounts: () => queue.countsByChannel(),
    channelState: () => channel.status().state,
    lastPostAt: () => ctx.reports.lastPosted()?.postedAt ?? null,
    log: log.child({ part: 'metrics' }),
  });
  // Webhooks: recorded beside each posted/failed event, sent by their own loop (never in posting's way).
  const webhooks =
    config.webhooks.length > 0 && config.webhookSecret && ctx.webhooks
      ? createWebhookSender({ store: ctx.webhooks.store, urls: config.webhooks, secret: config.webhookSecret, clock, log: log.child({ part: 'webhooks' }) })
      : null;
  const webhookListeners = webhooks ? webhookEvents(webhooks, config.channelName, clock) : null;
  const events = fanOut(receipts, metrics.events, webhookListeners ?? {}, options.events ?? {});
  const { editions } = ctx;
  // Article images for image posts: capped, checked to be images, never from link-local addresses.
  const images = createImageFetcher({ clock });
  const deliveryChannels = ctx.channels ? createDeliveryChannels(ctx.channels) : null;
  /** A channel's invite link for templates: the adapter knows the default channel's; an added channel's target may be one. */
  const inviteLinkOf = (name: string): string | null => {
    if (name === config.channelName) return channel.info()?.inviteLink ?? null;
    const target = deliveryChannels?.spec(name)?.target ?? '';
    return /^https:\/\/(www\.)?whatsapp\.com\/channel\//.test(target) ? target : null;
  };

  const dispatcher = createDispatcher({
    queue,
    channel,
    clock,
    log: log.child({ part: 'dispatcher' }),
    // The channel's template and tracked link (the default template is today's format exactly).
    // A digest (editions/digest.ts) is posted as the list it holds, never through a template.
    render: (article, name) =>
      isDigestArticle(article)
        ? digestPostText(article)
        : editions
          ? editions.render(article, name, clock.now(), inviteLinkOf(name))
          : formatPost(article, ctx.format),
    minGapMs: config.minGapMs,
    // Every channel of the registry with its own pause and pacing (several channels, issue 15).
    ...(deliveryChannels ? { channels: deliveryChannels.channels } : {}),
    pacing: {
      jitterMs: config.jitterMs,
      maxPerHour: config.maxPostsPerHour,
      quietHours: config.quietHours,
      breakingInQuietHours: config.breakingInQuietHours,
      timezone: config.timezone,
    },
    maxAttempts: config.maxAttempts,
    sendTimeoutMs: config.sendTimeoutMs,
    isPaused: () => settings.isPaused(),
    events,
    images,
    noteDetail: (deliveryId, detail) => ctx.corrections?.store.noteDelivery(deliveryId, detail),
  });
  // Corrections: edits of posted messages, or follow-up posts where WhatsApp will not edit (issue 15).
  const corrections = ctx.corrections
    ? createCorrectionWorker({
        store: ctx.corrections.store,
        channel,
        clock,
        log: log.child({ part: 'corrections' }),
        followUpText: (c) => correctionFollowUp(c.previousHeadline, c.text),
        sendTimeoutMs: config.sendTimeoutMs,
        maxAttempts: config.maxAttempts,
        onCorrected: (c) => {
          metrics.recordCorrection(c.status === 'edited' ? 'edit' : 'follow-up');
          const article = queue.get(c.articleId);
          if (article) webhookListeners?.corrected(article, c);
        },
      })
    : null;
  const commands = createCommandCore(ctx, log.child({ part: 'commands' }));
  // Every write, by any process: what the desk's live updates follow.
  const changeFeed = createChangeFeed(db);
  // Up before WhatsApp starts, so /healthz answers and /login can show the first QR code.
  const http = createHttpServer({
    api: createApiCore({ commands }),
    channel,
    checkDatabase: () => void settings.read('bot_status'),
    metrics,
    log: log.child({ part: 'http' }),
    token: config.apiToken,
    host: config.httpHost,
    port: config.httpPort,
    desk: { core: commands, timezone: config.timezone, clock, changes: (listener) => changeFeed.subscribe(listener) },
  });
  let httpUrl: string;
  try {
    ({ url: httpUrl } = await http.listen());
  } catch (err) {
    await checkpointer.stop();
    db.close();
    throw err;
  }
  const inbox = messages
    ? createInbox({ core: commands, messages, audit: ctx.audit, admins: config.admins, channelInfo: () => channel.info(), clock, log: log.child({ part: 'inbox' }) })
    : null;
  const stopInbox = inbox?.listen() ?? (() => undefined);
  const stopNotices = messages
    ? startAdminNotices({
        channel,
        messages,
        admins: config.admins,
        clock,
        timezone: config.timezone,
        log,
        waiting: () => ctx.reports.counts(clock.now()).queued,
      })
    : () => undefined;
  if (messages && config.admins.length === 0) {
    log.warn({}, 'NEWSDESK_ADMINS is empty: nobody can run commands by WhatsApp message (the CLI still works)');
  }

  const schedule = startWakeSchedule(config.schedule, config.timezone, () => {
    try {
      dispatcher.release(clock.now());
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'schedule tick failed');
    }
  });
  const restartSchedule =
    config.browserRestartCron && channel.restart
      ? startWakeSchedule(config.browserRestartCron, config.timezone, () => {
          // Never in the middle of a post: wait for the posting loop to be idle first.
          void dispatcher
            .idle()
            .then(() => channel.restart?.('daily planned browser restart (NEWSDESK_BROWSER_RESTART_AT)'))
            .catch((err: unknown) => log.error({ ...errorDetail(err) }, 'planned browser restart failed'));
        })
      : null;
  const stopWatching = watchForOtherWriters(db, options.watchIntervalMs ?? 50, () => {
    dispatcher.wake('database changed');
    corrections?.wake();
  });
  const stopStatusLog = channel.onStatus((status) => log.info({ state: status.state, detail: status.detail }, 'channel status'));

  const stopHeartbeat = startHeartbeat({ settings, status: ctx.runtime, channel, clock, log });

  await channel.start();
  dispatcher.start();
  corrections?.start();
  if (webhooks && ctx.webhooks) recordMissedEvents(webhooks, ctx.webhooks.store, config.channelName, clock, log.child({ part: 'webhooks' }));
  webhooks?.start();
  const seeded = ctx.feeds.seed(config.feeds);
  for (const bad of seeded.invalid) log.error({ url: bad.url, error: bad.error }, 'NEWSDESK_FEEDS: feed not added');
  ctx.feeds.start();
  // Digests: looks once now (a slot missed while the bot was down) and then every minute.
  const digests = ctx.channels
    ? startDigestSchedule({
        channels: ctx.channels,
        store: createDigestStore(db),
        queue,
        timezone: config.timezone,
        breakingLabel: config.breakingLabel,
        link: editions ? (url, name) => trackedLink(url, editions.store.utm(name), name) : undefined,
        clock,
        log: log.child({ part: 'digests' }),
        onQueued: () => dispatcher.wake('digest'),
      })
    : null;
  log.info(
    { channel: channel.name, dryRun, http: httpUrl, dataDir: config.dataDir, schedule: config.schedule, timezone: config.timezone, minGapSeconds: config.minGapMs / 1000 },
    'newsdesk started',
  );

  let stopping: Promise<void> | null = null;
  return {
    db,
    queue,
    channel,
    dispatcher,
    commands,
    inbox,
    http,
    httpUrl,
    metrics,
    schedule,
    /** Stops posting (finishing or abandoning the post in flight), the channel and the database. */
    stop(): Promise<void> {
      stopping ??= (async () => {
        await http.close(); // no API writes while shutting down
        stopWatching();
        changeFeed.stop();
        stopInbox();
        stopNotices();
        await schedule.stop();
        await digests?.schedule.stop();
        await restartSchedule?.stop();
        await ctx.feeds.stop();
        const { abandoned } = await dispatcher.stop();
        if (abandoned) log.warn({}, 'a post was still in flight; it will be checked against the channel at the next start');
        await corrections?.stop();
        await images.close();
        await webhooks?.stop();
        stopStatusLog();
        await channel.stop();
        stopHeartbeat();
        await checkpointer.stop();
        db.close();
        log.info({}, 'newsdesk stopped');
      })();
      return stopping;
    },
  };
}

export type App = Awaited<ReturnType<typeof startApp>>;

function hasDirectMessages(channel: Channel): channel is Channel & DirectMessages {
  return typeof (channel as Partial<DirectMessages>).onMessage === 'function';
}

/** Calls each listener's handlers in turn (the dispatcher guards against throws). */
function fanOut(...listeners: DispatcherEvents[]): DispatcherEvents {
  return {
    posted: (article, delivery) => listeners.forEach((l) => l.posted?.(article, delivery)),
    failed: (article, error, channel) => listeners.forEach((l) => l.failed?.(article, error, channel)),
    imageFallback: (article, reason, detail) => listeners.forEach((l) => l.imageFallback?.(article, reason, detail)),
  };
}

async function buildChannel(config: Config, log: Logger, clock: Clock, dryRun: boolean, targetOf: (name: string) => string | null): Promise<Channel> {
  if (dryRun) {
    return createOutboxChannel({ file: config.outboxPath, clock, channelName: config.channelName, echo: (text) => process.stdout.write(text) });
  }
  if (!config.channel) throw new Error('NEWSDESK_CHANNEL is required unless --dry-run');
  // Loaded only when needed: a dry run never loads the browser automation stack.
  const { createWhatsAppChannel } = await import('./channel/whatsapp.js');
  return createWhatsAppChannel({
    target: config.channel,
    channelName: config.channelName,
    targetOf,
    sessionDir: config.sessionDir,
    chromiumPath: config.chromiumPath,
    waWeb: config.waWeb,
    pairingNumber: config.pairingNumber,
    readyTimeoutMs: config.readyTimeoutMs,
    clock,
    log: log.child({ part: 'whatsapp' }),
  });
}
