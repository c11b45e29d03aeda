import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Article } from '../articles/article.js';
import type { ChannelState } from '../channel/channel.js';
import type { DispatcherEvents } from '../dispatch/dispatcher.js';
import { errorDetail, type Logger } from '../log.js';
import type { QueueCounts } from '../store/article-reports.js';
import type { Delivery } from '../store/rows.js';

/** Every state a channel can be in; the state gauge has one series per state (1 for the current one). */
const CHANNEL_STATES: readonly ChannelState[] = ['starting', 'waiting-for-login', 'ready', 'disconnected', 'logged-out', 'failed', 'stopped'];
const ARTICLE_STATUSES: readonly (keyof QueueCounts)[] = ['queued', 'scheduled', 'posting', 'posted', 'failed', 'cancelled'];

/**
 * Seconds, from a breaking alert that goes out at once to a normal article that waited for the next
 * release and the minimum gap behind others, up to an hour-long backlog.
 */
const LATENCY_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200];

export interface MetricsOptions {
  /** Articles by status, read at every scrape (the app passes `() => reports.counts(clock.now())`). */
  articleCounts?: () => QueueCounts;
  /** Deliveries per channel and status (several channels), read at scrape time. */
  channelCounts?: () => Record<string, Partial<Record<string, number>>>;
  /** The channel's state, read at every scrape. */
  channelState?: () => ChannelState;
  /**
   * Epoch ms of the newest confirmed post in the database, read at every scrape, so the "last post"
   * gauge is right from the first scrape after a restart, not only after this process's first post.
   */
  lastPostAt?: () => number | null;
  /** Where a failing scrape-time read is reported (the scrape itself still answers). */
  log?: Logger;
  /** Process and Node.js metrics from prom-client (CPU, memory, event loop lag, handles). Default true. */
  defaultMetrics?: boolean;
}

/**
 * The bot's Prometheus metrics in a registry of their own (no prom-client global state, so tests and
 * several apps in one process do not collide). The app feeds post outcomes in through `events` (or
 * recordPosted / recordFailed) from the dispatcher; counts and states are read when scraped.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  /** A scrape-time read that fails (database busy) leaves the last value and is logged, not fatal. */
  const guarded = (what: string, read: () => void) => () => {
    try {
      read();
    } catch (err) {
      options.log?.warn({ ...errorDetail(err) }, `metrics: could not read ${what}; the scrape shows the last value`);
    }
  };

  const articles: Gauge<'status'> = new Gauge({
    name: 'newsdesk_articles',
    help: 'Articles by status (scheduled = queued with a publish time ahead; queued = the rest of the queue)',
    labelNames: ['status'],
    registers,
    collect: guarded('article counts', () => {
      const counts = options.articleCounts?.();
      if (counts) for (const status of ARTICLE_STATUSES) articles.set({ status }, counts[status]);
    }),
  });
  const posts = new Counter({
    name: 'newsdesk_posts_total',
    help: 'Articles that finished posting, by outcome: posted (confirmed on the channel) or failed (for good)',
    labelNames: ['outcome'],
    registers,
  });
  // Several channels (issue 15): each channel's deliveries, by status now and by outcome since start.
  const channelDeliveries: Gauge<'channel' | 'status'> = new Gauge({
    name: 'newsdesk_channel_deliveries',
    help: 'Deliveries (one per article and channel) by channel and status: queued, posting, posted, failed, cancelled',
    labelNames: ['channel', 'status'],
    registers,
    collect: guarded('channel counts', () => {
      const counts = options.channelCounts?.();
      if (!counts) return;
      for (const [channel, byStatus] of Object.entries(counts)) {
        for (const status of ['queued', 'posting', 'posted', 'failed', 'cancelled']) channelDeliveries.set({ channel, status }, byStatus[status] ?? 0);
      }
    }),
  });
  const channelPosts = new Counter({
    name: 'newsdesk_channel_posts_total',
    help: 'Deliveries that finished, by channel and outcome: posted (confirmed on that channel) or failed (for good)',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const latency = new Histogram({
    name: 'newsdesk_enqueue_to_post_seconds',
    help: 'Seconds from when an article could go out (queued, or its publish time if scheduled) to its confirmed post',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const whatsappState: Gauge<'state'> = new Gauge({
    name: 'newsdesk_whatsapp_state',
    help: 'WhatsApp connection state: 1 for the current state, 0 for the others',
    labelNames: ['state'],
    registers,
    collect: guarded('the channel state', () => {
      if (!options.channelState) return;
      const current = options.channelState();
      for (const state of CHANNEL_STATES) whatsappState.set({ state }, state === current ? 1 : 0);
    }),
  });
  const feedPollErrors = new Counter({
    name: 'newsdesk_feed_poll_errors_total',
    help: 'Feed polls that failed (fetch or parse)',
    registers,
  });
  let lastPostedMs = 0;
  const lastPost: Gauge = new Gauge({
    name: 'newsdesk_last_post_timestamp_seconds',
    help: 'Unix time of the newest confirmed post (0 = none yet)',
    registers,
    collect: guarded('the last post time', () => {
      lastPostedMs = Math.max(lastPostedMs, options.lastPostAt?.() ?? 0);
      lastPost.set(lastPostedMs / 1000);
    }),
  });
  const imageFallbacks = new Counter({
    name: 'newsdesk_image_fallbacks_total',
    help: 'Articles with an image posted as text instead, by reason (not-an-image, too-large, timeout, send-refused, send-failed, …)',
    labelNames: ['reason'],
    registers,
  });
  const corrections = new Counter({
    name: 'newsdesk_corrections_total',
    help: 'Corrections confirmed on the channel, by method: edit (the post edited) or follow-up (a new post)',
    labelNames: ['method'],
    registers,
  });
  corrections.inc({ method: 'edit' }, 0);
  corrections.inc({ method: 'follow-up' }, 0);
  // Zero series exist from the start, so rate() and absent-alerts work before the first post.
  posts.inc({ outcome: 'posted' }, 0);
  posts.inc({ outcome: 'failed' }, 0);

  /** An article was confirmed on the channel (the dispatcher's `posted` event). */
  function recordPosted(article: Article, delivery: Delivery): void {
    const postedAt = article.postedAt ?? delivery.finishedAt ?? delivery.startedAt;
    const from = article.timed ? Math.max(article.createdAt, article.publishAt) : article.createdAt;
    posts.inc({ outcome: 'posted' });
    if (delivery.channel) channelPosts.inc({ channel: delivery.channel, outcome: 'posted' });
    latency.observe(Math.max(0, postedAt - from) / 1000);
    lastPostedMs = Math.max(lastPostedMs, postedAt);
  }

  /** An article failed for good (the dispatcher's `failed` event). */
  function recordFailed(_article: Article, _error?: string, channel?: string): void {
    posts.inc({ outcome: 'failed' });
    if (channel) channelPosts.inc({ channel, outcome: 'failed' });
  }

  return {
    registry,
    /** The Content-Type of render()'s output. */
    contentType: registry.contentType,
    /** The metrics in Prometheus text format, with the scrape-time values read now. */
    render: (): Promise<string> => registry.metrics(),
    recordPosted,
    recordFailed,
    /** An image post that went out as text (the dispatcher's `imageFallback` event). */
    recordImageFallback(reason: string): void {
      imageFallbacks.inc({ reason });
    },
    /** A correction confirmed on the channel. */
    recordCorrection(method: 'edit' | 'follow-up'): void {
      corrections.inc({ method });
    },
    /** One failed feed poll (for the feed poller). */
    recordFeedPollError(): void {
      feedPollErrors.inc();
    },
    /** Dispatcher listeners to fan in next to the others: `events: fanOut(receipts, metrics.events, …)`. */
    events: { posted: recordPosted, failed: recordFailed, imageFallback: (_article, reason) => imageFallbacks.inc({ reason }) } satisfies DispatcherEvents,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
