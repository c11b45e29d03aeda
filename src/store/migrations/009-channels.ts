/**
 * The channel registry (issue 15): the channels besides NEWSDESK_CHANNEL, added by `channel add`.
 *
 * One row per channel, keyed by its short name (the key templates, tracked links, webhooks and
 * deliveries already use). The config channel (NEWSDESK_CHANNEL / NEWSDESK_CHANNEL_NAME) has a row
 * only once something of it is set (paused, filters, pacing, digest); its `target` is then NULL,
 * because the configuration, not the database, says where it posts.
 *
 * Pacing columns are NULL for "the global setting" (NEWSDESK_MIN_GAP_SECONDS, …), so a channel
 * follows a later change of the defaults; `quiet_hours` '' means explicitly none. Filters and digest
 * times are JSON arrays. `revision` in `settings` (key channels_revision) is bumped by every write,
 * so a running bot can tell cheaply that the CLI changed the registry.
 */
export const sql = `
CREATE TABLE channels (
  name            TEXT    PRIMARY KEY,
  target          TEXT    UNIQUE,
  categories      TEXT,
  feeds           TEXT,
  paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  min_gap_seconds INTEGER CHECK (min_gap_seconds IS NULL OR min_gap_seconds BETWEEN 0 AND 86400),
  max_per_hour    INTEGER CHECK (max_per_hour IS NULL OR max_per_hour BETWEEN 0 AND 3600),
  quiet_hours     TEXT,
  digest_times    TEXT,
  digest_top      INTEGER CHECK (digest_top IS NULL OR digest_top BETWEEN 1 AND 50),
  digest_mode     TEXT    CHECK (digest_mode IS NULL OR digest_mode IN ('besides', 'instead')),
  created_at      INTEGER NOT NULL,
  created_by      TEXT    NOT NULL,
  updated_at      INTEGER NOT NULL,
  updated_by      TEXT    NOT NULL
) STRICT;
`;
