/**
 * Per-channel publishing settings and webhook deliveries. Every setting is keyed by the channel's short
 * name (NEWSDESK_CHANNEL_NAME today; more channels later), so several channels need no new schema.
 *
 * - channel_templates: a channel's post template, for all its articles (feed_id 0) or for one feed's.
 * - channel_links: a channel's tracked-link (UTM) settings; no row means off.
 * - webhook_deliveries: one row per (event, webhook URL), with the exact signed body, so a restart
 *   keeps retrying what was not delivered and a repeated event is stored once.
 */
export const sql = `
CREATE TABLE channel_templates (
  channel    TEXT    NOT NULL,
  feed_id    INTEGER NOT NULL DEFAULT 0,
  template   TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT    NOT NULL,
  PRIMARY KEY (channel, feed_id)
) STRICT;

CREATE TABLE channel_links (
  channel      TEXT    PRIMARY KEY,
  utm_enabled  INTEGER NOT NULL CHECK (utm_enabled IN (0, 1)),
  utm_source   TEXT    NOT NULL,
  utm_medium   TEXT    NOT NULL,
  utm_campaign TEXT    NOT NULL DEFAULT '',
  updated_at   INTEGER NOT NULL,
  updated_by   TEXT    NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  event           TEXT    NOT NULL CHECK (event IN ('posted', 'failed', 'corrected')),
  event_id        TEXT    NOT NULL,
  url             TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  article_id      INTEGER,
  channel         TEXT    NOT NULL,
  message_id      TEXT,
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  delivered_at    INTEGER
) STRICT;

CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (event_id, url);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
`;
