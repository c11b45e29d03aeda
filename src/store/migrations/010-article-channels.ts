/**
 * Delivery per channel (issue 15, several channels): one row per (article, channel) with that
 * channel's own status, attempts, next attempt, last error, message id and posting time. The
 * dispatcher claims these rows, not articles; `articles.status` (and attempts, next attempt, last
 * error, posted at) stays, kept as the aggregate over the article's channels in the same transaction
 * (article-channels.ts), so every reader of one status per article keeps working.
 *
 * Backfill: every existing article gets one row with its current state, for the default channel. The
 * default channel's short name is configuration (NEWSDESK_CHANNEL_NAME), which a migration cannot see,
 * so the rows are written with the empty name, which no channel can have, and the article queue adopts
 * them under the configured name when it first opens the database (`adoptDefaultChannel`). Deliveries
 * and corrections so far named the adapter (`outbox`, `whatsapp:…@newsletter`) rather than the short
 * name; they get the same empty name, so from now on `deliveries.channel` is always the short name.
 */
export const sql = `
CREATE TABLE article_channels (
  article_id      INTEGER NOT NULL REFERENCES articles (id),
  channel         TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('queued', 'posting', 'posted', 'failed', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  message_id      TEXT,
  posted_at       INTEGER,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (article_id, channel)
) STRICT;

CREATE INDEX article_channels_due ON article_channels (next_attempt_at, article_id) WHERE status = 'queued';
CREATE INDEX article_channels_by_channel ON article_channels (channel, status);
CREATE INDEX deliveries_by_channel ON deliveries (channel, started_at);

INSERT INTO article_channels (article_id, channel, status, attempts, next_attempt_at, last_error, message_id, posted_at, updated_at)
  SELECT a.id, '', a.status, a.attempts, a.next_attempt_at, a.last_error,
    (SELECT d.message_id FROM deliveries d WHERE d.article_id = a.id AND d.status = 'posted' ORDER BY d.id DESC LIMIT 1),
    a.posted_at, a.updated_at
  FROM articles a;

UPDATE deliveries SET channel = '';
UPDATE corrections SET channel = '';
`;
