/** Articles waiting, posting and posted, and one delivery row per posting attempt. */
export const sql = `
CREATE TABLE articles (
  id              INTEGER PRIMARY KEY,
  headline        TEXT    NOT NULL,
  summary         TEXT    NOT NULL DEFAULT '',
  url             TEXT    NOT NULL,
  canonical_url   TEXT    NOT NULL UNIQUE,
  image_url       TEXT,
  category        TEXT,
  priority        TEXT    NOT NULL CHECK (priority IN ('normal', 'breaking')),
  publish_at      INTEGER NOT NULL,
  timed           INTEGER NOT NULL DEFAULT 0 CHECK (timed IN (0, 1)),
  source          TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('queued', 'posting', 'posted', 'failed', 'cancelled')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  posted_at       INTEGER
) STRICT;

CREATE INDEX articles_due ON articles (priority, publish_at, id) WHERE status = 'queued';
CREATE INDEX articles_by_status ON articles (status, updated_at);

CREATE TABLE deliveries (
  id          INTEGER PRIMARY KEY,
  article_id  INTEGER NOT NULL REFERENCES articles (id),
  attempt     INTEGER NOT NULL,
  channel     TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('sending', 'posted', 'failed', 'abandoned')),
  text        TEXT    NOT NULL,
  message_id  TEXT,
  error       TEXT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER
) STRICT;

CREATE INDEX deliveries_by_article ON deliveries (article_id, id);
CREATE INDEX deliveries_open ON deliveries (id) WHERE status = 'sending';
`;
