import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { Article } from '../articles/article.js';
import type { Clock } from '../clock.js';
import { createGuardedAgent, type GuardOptions } from '../feeds/fetch/address-guard.js';
import { errorDetail, errorMessage, type Logger } from '../log.js';
import type { WebhookDelivery, WebhookEventName, WebhookStore } from '../store/webhook-store.js';
import { SIGNATURE_HEADER, signBody } from './sign.js';
import { createWakeLoop } from '../wake-loop.js';

/** What happened, for the body of a webhook. */
export interface WebhookEvent {
  event: WebhookEventName;
  /** Stable for the same happening, so a repeated event is stored (and received) once. */
  eventId: string;
  at: number;
  channel: string;
  article: Pick<Article, 'id' | 'headline' | 'url' | 'category' | 'priority' | 'status'>;
  messageId: string | null;
  error?: string | null;
  /** For `corrected`: how the post was corrected (edit or follow-up), the version and the follow-up's id. */
  correction?: { method: 'edit' | 'follow-up'; version: number; followUpMessageId: string | null; reason: string | null };
}

export interface WebhookSenderOptions {
  store: WebhookStore;
  urls: readonly string[];
  secret: string;
  clock: Clock;
  log: Logger;
  /** How long one POST may take. Default 10 s. */
  timeoutMs?: number;
  /** Attempts per delivery before it is marked failed. Default 10 (about 8.5 hours of back-off). */
  maxAttempts?: number;
  /** Wait before attempt n + 1 after n failures. Default 30 s doubling, at most 1 h. */
  backoffMs?: (failures: number) => number;
  /** The address guard's options (tests resolve names themselves). */
  guard?: GuardOptions;
  /** The connection pool; default a guarded one that refuses link-local and metadata addresses. */
  dispatcher?: Dispatcher;
}

const USER_AGENT = 'Newsdesk-Webhook/0.1';

/** 30 s, 60 s, 2 min … at most an hour. */
export function webhookBackoffMs(failures: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
}

/**
 * Sends webhooks next to posting, never in its way: notify() only writes the event to SQLite (one row
 * per URL, a few microseconds) and returns; a separate loop POSTs the signed body, retries failures with
 * exponential back-off, and picks up whatever is still pending after a restart. Nothing it does can
 * throw into the caller.
 */
export function createWebhookSender(options: WebhookSenderOptions) {
  const { store, urls, secret, clock, log } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoff = options.backoffMs ?? webhookBackoffMs;
  const ownDispatcher = options.dispatcher ? null : createGuardedAgent(options.guard);
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const inFlight = new Set<AbortController>();
  const loop = createWakeLoop({
    clock,
    log,
    name: 'webhook',
    async pass() {
      for (;;) {
        const due = store.due(clock.now());
        if (due.length === 0 || loop.stopped) break;
        for (const delivery of due) {
          if (loop.stopped) return;
          await attempt(delivery);
        }
      }
      const next = store.nextDueAt();
      if (next !== null) loop.arm(next);
    },
  });
  const { wake } = loop;
  const isStopped = () => loop.stopped;

  async function attempt(delivery: WebhookDelivery): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    const cancelTimeout = clock.setTimer(timeoutMs, () => controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`)));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await undiciFetch(delivery.url, {
        method: 'POST',
        body: delivery.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-newsdesk-event': delivery.event,
          'x-newsdesk-delivery': delivery.eventId,
          [SIGNATURE_HEADER.toLowerCase()]: signBody(secret, delivery.body),
        },
        redirect: 'manual',
        signal: controller.signal,
        dispatcher,
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined); // the answer's body is not needed
      if (status < 200 || status > 299) error = `the receiver answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed: use the final URL)' : ''}`;
    } catch (err) {
      error = describeFailure(err, controller);
    } finally {
      cancelTimeout();
      inFlight.delete(controller);
    }
    const now = clock.now();
    const where = { webhook: delivery.url, event: delivery.event, eventId: delivery.eventId, attempt: delivery.attempts + 1 };
    if (error === null) {
      store.markDelivered(delivery.id, status!, now);
      log.info({ ...where, status }, 'webhook delivered');
      return;
    }
    const attempts = delivery.attempts + 1;
    if (attempts >= maxAttempts || isStopped()) {
      if (isStopped() && attempts < maxAttempts) {
        // Stopping mid-send: leave it pending for the next start, without counting this try.
        return;
      }
      store.markFailed(delivery.id, { status, error }, now, null);
      log.error({ ...where, error }, `webhook gave up after ${attempts} attempts`);
      return;
    }
    const retryAt = now + backoff(attempts);
    store.markFailed(delivery.id, { status, error }, now, retryAt);
    log.warn({ ...where, error, retryAt: new Date(retryAt).toISOString() }, 'webhook failed; will retry');
  }

  function describeFailure(err: unknown, controller: AbortController): string {
    if (controller.signal.aborted) return errorMessage(controller.signal.reason);
    const cause = (err as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? cause : null;
    if (inner && (inner as { code?: string }).code === 'ENEWSDESK_FORBIDDEN_ADDRESS') return `refused: ${inner.message}; webhooks are never sent there`;
    return inner ? `${errorMessage(err)}: ${inner.message}` : errorMessage(err);
  }

  return {
    /**
     * Records an event for every webhook URL and wakes the sender. Never throws and never waits for
     * the network: called from the posting path.
     */
    notify(event: WebhookEvent): void {
      if (urls.length === 0 || isStopped()) return;
      try {
        const body = JSON.stringify({
          event: event.event,
          id: event.eventId,
          occurredAt: new Date(event.at).toISOString(),
          channel: { name: event.channel },
          article: event.article,
          messageId: event.messageId,
          ...(event.error ? { error: event.error } : {}),
          ...(event.correction ? { correction: event.correction } : {}),
        });
        store.record(
          { event: event.event, eventId: event.eventId, body, articleId: event.article.id, channel: event.channel, messageId: event.messageId },
          urls,
          event.at,
        );
        setImmediate(wake); // after the caller's own work
      } catch (err) {
        log.error({ event: event.event, eventId: event.eventId, ...errorDetail(err) }, 'could not record the webhook event');
      }
    },
    /** Starts sending what is pending (also what a previous run left). */
    start(): void {
      wake();
    },
    wake,
    /** Resolves when the loop has nothing running (tests). */
    idle: loop.idle,
    /** Stops the loop; a POST in flight is cut off and stays pending for the next start. */
    async stop(): Promise<void> {
      const stopping = loop.stop();
      for (const controller of inFlight) controller.abort(new Error('shutting down'));
      await stopping;
      await ownDispatcher?.close().catch(() => undefined);
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/**
 * Records the events a previous run missed (posted or failed, but stopped before the event was
 * written) and returns how many; run once at start, before the sender starts. Never throws.
 */
export function recordMissedEvents(sender: WebhookSender, store: WebhookStore, channel: string, clock: Clock, log: Logger): number {
  try {
    const missed = store.missedEvents(clock.now());
    for (const m of missed) sender.notify({ ...m, channel: m.channel ?? channel, article: m.article as WebhookEvent['article'] });
    if (missed.length > 0) log.warn({ count: missed.length }, 'webhook events missed by the last run recorded now');
    return missed.length;
  } catch (err) {
    log.error({ ...errorDetail(err) }, 'could not look for webhook events the last run missed');
    return 0;
  }
}

/** Webhook events for the dispatcher's `posted` and `failed`, and the correction worker's `corrected`. */
export function webhookEvents(sender: WebhookSender, channel: string, clock: Clock) {
  const articleOf = (a: Article) => ({ id: a.id, headline: a.headline, url: a.url, category: a.category, priority: a.priority, status: a.status });
  return {
    // `channel`: the default channel's name; an event of one (article, channel) names its own channel.
    posted(article: Article, delivery: { id: number; messageId: string | null; channel?: string }): void {
      sender.notify({ event: 'posted', eventId: `posted:${delivery.id}`, at: clock.now(), channel: delivery.channel ?? channel, article: articleOf(article), messageId: delivery.messageId });
    },
    failed(article: Article, error: string, on?: string): void {
      const where = on ?? channel;
      // One failure per (article, channel): the id names the channel when it is not the default one (ids stay as they were for one channel).
      const eventId = where === channel ? `failed:${article.id}:${article.updatedAt}` : `failed:${article.id}:${where}:${article.updatedAt}`;
      sender.notify({ event: 'failed', eventId, at: clock.now(), channel: where, article: articleOf(article), messageId: null, error });
    },
    /** A correction confirmed on the channel; `messageId` is the corrected post's (the edited one). */
    corrected(
      article: Article,
      correction: { id: number; version: number; channel?: string; messageId: string; status: string; followUpMessageId: string | null; reason: string | null },
    ): void {
      const method = correction.status === 'edited' ? 'edit' : 'follow-up';
      sender.notify({
        event: 'corrected',
        eventId: `corrected:${correction.id}`,
        at: clock.now(),
        channel: correction.channel ?? channel,
        article: articleOf(article),
        messageId: correction.messageId,
        correction: { method, version: correction.version, followUpMessageId: correction.followUpMessageId, reason: method === 'edit' ? null : correction.reason },
      });
    },
  };
}
