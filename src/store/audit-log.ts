import type { Db } from './open-database.js';

export type Door = 'whatsapp' | 'cli' | 'api' | 'web';
export type AuditOutcome = 'ok' | 'rejected' | 'denied' | 'error';

export interface AuditEntry {
  id: number;
  at: number;
  /** `admin:<phone>`, `cli:<user>`, `api`, or the sender of a refused command. */
  actor: string;
  door: Door;
  command: string;
  outcome: AuditOutcome;
  detail: string | null;
}

/** The longest command text kept in the audit log; the rest is cut (a 10,000-character paste stays readable). */
const MAX_COMMAND = 2_000;

/** Who ran which command through which door, and how it ended. Append-only. */
export function createAuditLog(db: Db) {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, actor, door, command, outcome, detail) VALUES (@at, @actor, @door, @command, @outcome, @detail)`,
  );
  const recent = db.prepare<[number], AuditEntry>(`SELECT * FROM audit_log ORDER BY id DESC LIMIT ?`);
  return {
    /** Appends one entry. */
    record(entry: Omit<AuditEntry, 'id'>): void {
      const command = entry.command.length > MAX_COMMAND ? `${entry.command.slice(0, MAX_COMMAND)}…` : entry.command;
      insert.run({ ...entry, command, detail: entry.detail?.slice(0, MAX_COMMAND) ?? null });
    },
    /** The newest `limit` entries, newest first. */
    recent(limit: number): AuditEntry[] {
      return recent.all(limit);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
