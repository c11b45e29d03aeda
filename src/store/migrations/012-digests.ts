/**
 * Digests (issue 15): one row per (channel, slot), written in the same transaction as the digest
 * article it queued, so a slot is handled exactly once across crashes, restarts and two processes.
 *
 * - slot: the scheduled local time (`digest=08:00,18:00`) as epoch ms.
 * - article_id: the digest article queued for the channel; NULL when the period had no stories (the
 *   slot is done, nothing was posted).
 * - since: the start of the period it lists (the previous digest's slot).
 * - channels.digest_since: when the channel's digest times were last set; slots before it are never
 *   posted (a digest set at noon for 08:00 starts the next morning, not at once).
 */
export const sql = `
ALTER TABLE channels ADD COLUMN digest_since INTEGER;

CREATE TABLE digests (
  channel    TEXT    NOT NULL,
  slot       INTEGER NOT NULL,
  article_id INTEGER REFERENCES articles (id),
  stories    INTEGER NOT NULL,
  since      INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, slot)
) STRICT;
`;
