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
    counts(): Record<WebhookStatus, number> {
      const out: Record<WebhookStatus, number> = { pending: 0, delivered: 0, failed: 0 };
      for (const row of s.counts.all()) out[row.status] = row.n;
      return out;
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
