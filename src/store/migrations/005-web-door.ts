/**
 * The desk (the web page editors run the channel from) is a door of its own: the audit log accepts
 * `web`. SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows.
 * Two indexes keep the desk fast on a large database: finished articles newest first (the queue
 * page's second half) and posts by time (the 24-hour charts).
 */
export const sql = `
CREATE TABLE audit_log_new (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor    TEXT    NOT NULL,
  door     TEXT    NOT NULL CHECK (door IN ('whatsapp', 'cli', 'api', 'web')),
  command  TEXT    NOT NULL,
  outcome  TEXT    NOT NULL CHECK (outcome IN ('ok', 'rejected', 'denied', 'error')),
  detail   TEXT
) STRICT;
INSERT INTO audit_log_new (id, at, actor, door, command, outcome, detail)
  SELECT id, at, actor, door, command, outcome, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE INDEX articles_by_update ON articles (updated_at, id);
CREATE INDEX articles_posted ON articles (posted_at) WHERE status = 'posted';
`;
