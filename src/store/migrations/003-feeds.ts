/**
 * Feeds polled into the queue, and every story a feed has shown us with what became of it: the
 * record that stops a story being queued twice (by GUID, canonical URL or content hash) and a new
 * feed from flooding the channel with its back catalogue.
 */
export const sql = `
CREATE TABLE feeds (
  id                   INTEGER PRIMARY KEY,
  url                  TEXT    NOT NULL UNIQUE,
  title                TEXT,
  category             TEXT,
  priority             TEXT    NOT NULL CHECK (priority IN ('normal', 'breaking')),
  every_minutes        INTEGER NOT NULL CHECK (every_minutes >= 1),
  backfill             INTEGER NOT NULL DEFAULT 0 CHECK (backfill >= 0),
  max_per_poll         INTEGER NOT NULL CHECK (max_per_poll >= 1),
  include_words        TEXT    NOT NULL DEFAULT '[]',
  exclude_words        TEXT    NOT NULL DEFAULT '[]',
  status               TEXT    NOT NULL CHECK (status IN ('active', 'paused')),
  primed               INTEGER NOT NULL DEFAULT 0 CHECK (primed IN (0, 1)),
  etag                 TEXT,
  last_modified        TEXT,
  last_poll_at         INTEGER,
  last_success_at      INTEGER,
  last_error           TEXT,
  last_error_kind      TEXT,
  last_error_at        INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  next_poll_at         INTEGER NOT NULL,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
) STRICT;

CREATE INDEX feeds_due ON feeds (next_poll_at) WHERE status = 'active';

CREATE TABLE feed_items (
  id            INTEGER PRIMARY KEY,
  feed_id       INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
  guid_key      TEXT,
  canonical_url TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL,
  headline      TEXT    NOT NULL,
  outcome       TEXT    NOT NULL CHECK (outcome IN ('queued', 'seen', 'capped', 'filtered', 'duplicate', 'rejected')),
  article_id    INTEGER,
  seen_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX feed_items_by_guid ON feed_items (guid_key);
CREATE INDEX feed_items_by_url ON feed_items (canonical_url);
CREATE INDEX feed_items_by_hash ON feed_items (content_hash);
CREATE INDEX feed_items_by_feed ON feed_items (feed_id, outcome);
`;
