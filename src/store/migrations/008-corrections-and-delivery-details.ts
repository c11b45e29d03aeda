/**
 * Corrections and delivery details (issue 15).
 *
 * - delivery_details: a note on one delivery attempt, e.g. `image fallback: …` when an image post
 *   went out as text. A table of its own so the hot deliveries rows stay as they are.
 * - article_versions: every version of a corrected article (version 1 is what was first posted), for
 *   `show` and the `corrected` webhook.
 * - corrections: one row per (correction, posted message): what the post becomes, how it is being
 *   applied (an edit of the message, or a follow-up post when WhatsApp will not edit it) and how that
 *   went. The follow-up's exact text is written before it is sent, so after a crash the channel is read
 *   back for it instead of posting it twice. `channel` is the delivery's channel, so one article on
 *   several channels gets one row per channel.
 */
export const sql = `
CREATE TABLE delivery_details (
  delivery_id INTEGER PRIMARY KEY REFERENCES deliveries (id),
  detail      TEXT    NOT NULL
) STRICT;

CREATE TABLE article_versions (
  id          INTEGER PRIMARY KEY,
  article_id  INTEGER NOT NULL REFERENCES articles (id),
  version     INTEGER NOT NULL CHECK (version >= 1),
  headline    TEXT    NOT NULL,
  summary     TEXT    NOT NULL,
  url         TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  TEXT    NOT NULL,
  UNIQUE (article_id, version)
) STRICT;

CREATE TABLE corrections (
  id                   INTEGER PRIMARY KEY,
  article_id           INTEGER NOT NULL REFERENCES articles (id),
  version              INTEGER NOT NULL,
  channel              TEXT    NOT NULL,
  message_id           TEXT    NOT NULL,
  previous_headline    TEXT    NOT NULL,
  text                 TEXT    NOT NULL,
  status               TEXT    NOT NULL CHECK (status IN ('pending', 'editing', 'following-up', 'edited', 'followed-up', 'failed')),
  follow_up_text       TEXT,
  follow_up_message_id TEXT,
  reason               TEXT,
  attempts             INTEGER NOT NULL DEFAULT 0,
  next_attempt_at      INTEGER NOT NULL,
  last_error           TEXT,
  requested_by         TEXT    NOT NULL,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  finished_at          INTEGER
) STRICT;

CREATE INDEX corrections_by_article ON corrections (article_id, id);
CREATE INDEX corrections_open ON corrections (next_attempt_at, id) WHERE status IN ('pending', 'editing', 'following-up');
`;
