import type { Db } from './open-database.js';

export type WebhookEventName = 'posted' | 'failed' | 'corrected';
export type WebhookStatus = 'pending' | 'delivered' | 'failed';

/** One event for one webhook URL, with its exact body (what is signed) and how sending it went. */
export interface WebhookDelivery {
  id: number;
  event: WebhookEventName;
  /** The event's id, the same for every URL; sent as X-Newsdesk-Delivery so receivers can drop repeats. */
  eventId: string;
  url: string;
  body: string;
  articleId: number | null;
  channel: string;
  messageId: string | null;
  status: WebhookStatus;
  attempts: number;
  nextAttemptAt: number;
  /** The receiver's last HTTP status, if it answered. */
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

interface Row {
  id: number;
  event: WebhookEventName;
  event_id: string;
  url: string;
  body: string;
  article_id: number | null;
  channel: string;
  message_id: string | null;
  status: WebhookStatus;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

const toDelivery = (r: Row): WebhookDelivery => ({
  id: r.id,
  event: r.event,
  eventId: r.event_id,
  url: r.url,
  body: r.body,
  articleId: r.article_id,
  channel: r.channel,
  messageId: r.message_id,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  deliveredAt: r.delivered_at,
});

/** A posted or failed article whose webhook event was never recorded (the bot stopped in between). */
export interface MissedEvent {
  event: 'posted' | 'failed' | 'corrected';
  eventId: string;
  at: number;
  article: { id: number; headline: string; url: string; category: string | null; priority: 'normal' | 'breaking'; status: string };
  messageId: string | null;
  error: string | null;
  /** The channel (short name) of the delivery or correction; absent for `failed` (the article's, on the default channel). */
  channel?: string;
  /** For `corrected`: how, as the webhook's `correction` field. */
  correction?: { method: 'edit' | 'follow-up'; version: number; followUpMessageId: string | null; reason: string | null };
}

interface MissedCorrectionRow {
  correction_id: number;
  channel: string;
  version: number;
  status: string;
  message_id: string;
  follow_up_message_id: string | null;
  reason: string | null;
  at: number;
  id: number;
  headline: string;
  url: string;
  category: string | null;
  priority: 'normal' | 'breaking';
  article_status: string;
}

interface MissedRow {
  delivery_id: number | null;
  message_id: string | null;
  channel: string | null;
  at: number;
  id: number;
  headline: string;
  url: string;
  category: string | null;
  priority: 'normal' | 'breaking';
  status: string;
  last_error: string | null;
}

const SINCE_KEY = 'webhooks_watched_since';

export interface NewWebhookEvent {
  event: WebhookEventName;
  eventId: string;
  body: string;
  articleId: number | null;
  channel: string;
  messageId: string | null;
}

/** The webhook delivery log: durable, so a restart keeps retrying what was not delivered. */
export function createWebhookStore(db: Db) {
  const s = {
    insert: db.prepare(
      `INSERT OR IGNORE INTO webhook_deliveries (event, event_id, url, body, article_id, channel, message_id, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (@event, @eventId, @url, @body, @articleId, @channel, @messageId, 'pending', 0, @now, @now, @now)`,
    ),
    due: db.prepare<[number, number], Row>(`SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`),
    nextDue: db.prepare<[], { at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'`),
    delivered: db.prepare(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = @status, last_error = NULL, updated_at = @now, delivered_at = @now WHERE id = @id AND status = 'pending'`,
    ),
    failed: db.prepare(
      `UPDATE webhook_deliveries SET status = @next, attempts = attempts + 1, last_status = @status, last_error = @error, next_attempt_at = @retryAt, updated_at = @now WHERE id = @id AND status = 'pending'`,
    ),
    recent: db.prepare<[number], Row>(`SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?`),
    get: db.prepare<[number], Row>(`SELECT * FROM webhook_deliveries WHERE id = ?`),
    counts: db.prepare<[], { status: WebhookStatus; n: number }>(`SELECT status, COUNT(*) AS n FROM webhook_deliveries GROUP BY status`),
    missedPosted: db.prepare<[number], MissedRow>(
      `SELECT d.id AS delivery_id, d.message_id, d.channel, d.finished_at AS at, a.id, a.headline, a.url, a.category, a.priority, a.status, a.last_error
       FROM deliveries d JOIN articles a ON a.id = d.article_id
       WHERE d.status = 'posted' AND d.finished_at > ?
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.event_id = 'posted:' || d.id)
       ORDER BY d.id`,
    ),
    missedFailed: db.prepare<[number], MissedRow>(
      `SELECT NULL AS delivery_id, NULL AS message_id, NULL AS channel, a.updated_at AS at, a.id, a.headline, a.url, a.category, a.priority, a.status, a.last_error
       FROM articles a
       WHERE a.status = 'failed' AND a.updated_at > ?
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.event_id = 'failed:' || a.id || ':' || a.updated_at)
       ORDER BY a.updated_at, a.id`,
    ),
    missedCorrected: db.prepare<[number], MissedCorrectionRow>(
      `SELECT c.id AS correction_id, c.version, c.status, c.channel, c.message_id, c.follow_up_message_id, c.reason, c.finished_at AS at,
         a.id, a.headline, a.url, a.category, a.priority, a.status AS article_status
       FROM corrections c JOIN articles a ON a.id = c.article_id
       WHERE c.status IN ('edited', 'followed-up') AND c.finished_at > ?
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.event_id = 'corrected:' || c.id)
       ORDER BY c.id`,
    ),
    since: db.prepare<[string], { value: string }>(`SELECT value FROM settings WHERE key = ?`),
    putSince: db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (@key, @value, @now) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
  };
  const recordTx = db.transaction((event: NewWebhookEvent, urls: readonly string[], now: number) => {
    let added = 0;
    for (const url of urls) added += s.insert.run({ ...event, url, now }).changes;
    return added;
  });

  return {
    /** Stores one delivery per URL in one transaction; an event already stored for a URL is not stored again. Returns how many were added. */
    record(event: NewWebhookEvent, urls: readonly string[], now: number): number {
      return recordTx.immediate(event, urls, now);
    },
    due(now: number, limit = 20): WebhookDelivery[] {
      return s.due.all(now, limit).map(toDelivery);
    },
    /** When the next pending delivery is due, or null when none is pending. */
    nextDueAt(): number | null {
      return s.nextDue.get()?.at ?? null;
    },
    markDelivered(id: number, status: number, now: number): void {
      s.delivered.run({ id, status, now });
    },
    /** An attempt failed: try again at `retryAt`, or give up when `retryAt` is null. */
    markFailed(id: number, failure: { status: number | null; error: string }, now: number, retryAt: number | null): void {
      s.failed.run({ id, status: failure.status, error: failure.error.slice(0, 500), now, next: retryAt === null ? 'failed' : 'pending', retryAt: retryAt ?? now });
    },
    get(id: number): WebhookDelivery | undefined {
      const row = s.get.get(id);
      return row ? toDelivery(row) : undefined;
    },
    /** The newest deliveries first. */
    recent(limit: number): WebhookDelivery[] {
      return s.recent.all(limit).map(toDelivery);
    },
    /**
     * Posted and failed articles since the last start whose event was never recorded: the bot records
     * an event right after the post, so a kill in between would otherwise lose it. The first start with
     * webhooks looks back no further than itself, and no start more than a day (no flood of old posts).
     * Moves the mark to `now`.
     */
    missedEvents(now: number): MissedEvent[] {
      const mark = s.since.get(SINCE_KEY);
      // At most a day back: webhooks turned off for a while and on again do not replay the whole gap.
      const since = Math.max(mark ? Number(mark.value) : now, now - 86_400_000);
      const rows = [...s.missedPosted.all(since), ...s.missedFailed.all(since)];
      const corrected = s.missedCorrected.all(since);
      s.putSince.run({ key: SINCE_KEY, value: String(now), now });
      const correctedEvents: MissedEvent[] = corrected.map((r) => ({
        event: 'corrected',
        eventId: `corrected:${r.correction_id}`,
        at: r.at,
        article: { id: r.id, headline: r.headline, url: r.url, category: r.category, priority: r.priority, status: r.article_status },
        messageId: r.message_id,
        error: null,
        channel: r.channel,
        correction: {
          method: r.status === 'edited' ? 'edit' : 'follow-up',
          version: r.version,
          followUpMessageId: r.follow_up_message_id,
          reason: r.status === 'edited' ? null : r.reason,
        },
      }));
      return [...rows.map((r): MissedEvent => ({
        event: r.delivery_id === null ? 'failed' : 'posted',
        eventId: r.delivery_id === null ? `failed:${r.id}:${r.at}` : `posted:${r.delivery_id}`,
        at: r.at,
        article: { id: r.id, headline: r.headline, url: r.url, category: r.category, priority: r.priority, status: r.status },
        messageId: r.message_id,
        error: r.delivery_id === null ? r.last_error : null,
        ...(r.channel === null ? {} : { channel: r.channel }),
      })), ...correctedEvents];
    },
    counts(): Record<WebhookStatus, number> {
      const out: Record<WebhookStatus, number> = { pending: 0, delivered: 0, failed: 0 };
      for (const row of s.counts.all()) out[row.status] = row.n;
      return out;
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
