/** Every command from every door, and small shared settings (pause flag, the bot's heartbeat). */
export const sql = `
CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor    TEXT    NOT NULL,
  door     TEXT    NOT NULL CHECK (door IN ('whatsapp', 'cli', 'api')),
  command  TEXT    NOT NULL,
  outcome  TEXT    NOT NULL CHECK (outcome IN ('ok', 'rejected', 'denied', 'error')),
  detail   TEXT
) STRICT;

CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE TABLE settings (
  key        TEXT    PRIMARY KEY,
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;
