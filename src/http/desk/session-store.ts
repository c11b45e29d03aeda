import type { Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import type { Clock } from '../../clock.js';

export type { SessionStore } from '@fastify/session';

/** Default idle time after which a desk session ends: a working day plus some. */
export const DEFAULT_SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** Most sessions kept; past it the least recently used go first (sign-in pages opened by bots make sessions too). */
const MAX_SESSIONS = 10_000;

/**
 * Desk sessions in memory: they end when Newsdesk restarts (editors sign in again) and after
 * `idleMs` without a request, measured on the injected clock. Kept in least-recently-used order, so
 * a flood of anonymous sign-in pages cannot grow it past MAX_SESSIONS.
 *
 * In memory on purpose: a session is worth less than the token it stands for, a restart is rare, and
 * the database stays free of secrets. The session's signing secret derives from the token, so a new
 * token makes every old cookie unreadable even with a store that outlives restarts.
 */
export function createMemorySessionStore(clock: Clock, idleMs = DEFAULT_SESSION_IDLE_MS, max = MAX_SESSIONS) {
  const sessions = new Map<string, { session: Session; seenAt: number }>();
  const fresh = (entry: { seenAt: number } | undefined) => entry !== undefined && clock.now() - entry.seenAt <= idleMs;
  const store: SessionStore & { size(): number; clear(): void } = {
    set(sessionId, session, callback) {
      sessions.delete(sessionId); // re-inserted last: the Map's order is least recently used first
      sessions.set(sessionId, { session: JSON.parse(JSON.stringify(session)) as Session, seenAt: clock.now() });
      while (sessions.size > max) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        sessions.delete(oldest);
      }
      callback();
    },
    get(sessionId, callback) {
      const entry = sessions.get(sessionId);
      if (entry && !fresh(entry)) sessions.delete(sessionId);
      callback(null, fresh(entry) ? entry?.session : undefined);
    },
    destroy(sessionId, callback) {
      sessions.delete(sessionId);
      callback();
    },
    size: () => sessions.size,
    /** Ends every session (sign-out everywhere). */
    clear: () => sessions.clear(),
  };
  return store;
}
