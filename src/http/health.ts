import type { FastifyInstance } from 'fastify';
import type { Channel, ChannelState } from '../channel/channel.js';
import { errorMessage, type Logger } from '../log.js';

export interface HealthOptions {
  channel: Pick<Channel, 'status' | 'info'>;
  /** Throws when the database does not answer (the app passes a `SELECT 1`). */
  checkDatabase: () => void;
  log: Logger;
}

/** What a person should know when the channel is not ready and the adapter gave no detail. */
const DEFAULT_REASON: Record<ChannelState, string> = {
  starting: 'WhatsApp is starting',
  'waiting-for-login': 'WhatsApp waits for a login: open /login',
  ready: 'connected, but the channel is not resolved yet',
  disconnected: 'WhatsApp is disconnected and reconnecting',
  'logged-out': 'WhatsApp was logged out from the phone: restart Newsdesk and log in again at /login',
  failed: 'WhatsApp cannot work without a person: see the logs',
  stopped: 'Newsdesk is stopping',
};

/**
 * Liveness and readiness, without auth (they reveal no content):
 * - /healthz: the process answers and the database answers. A container restart policy acts on it.
 * - /readyz: WhatsApp is ready and the channel resolved, i.e. posts can go out; 503 with the reason.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const { channel, checkDatabase, log } = options;

  app.get('/healthz', async (_request, reply) => {
    try {
      checkDatabase();
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'health check: the database does not answer');
      return reply.code(503).send({
        status: 'unhealthy',
        database: 'error',
        error: `the database does not answer (${errorMessage(err)}): check the data volume and free disk space, then restart Newsdesk`,
      });
    }
    return reply.send({ status: 'ok', database: 'ok' });
  });

  app.get('/readyz', async (_request, reply) => {
    const status = channel.status();
    const info = channel.info();
    const since = new Date(status.since).toISOString();
    if (status.state === 'ready' && info) {
      return reply.send({ ready: true, state: status.state, since, channel: info });
    }
    const reason = status.state === 'ready' ? DEFAULT_REASON.ready : (status.detail ?? DEFAULT_REASON[status.state]);
    return reply.code(503).send({ ready: false, state: status.state, since, reason, error: `not ready: ${reason}` });
  });
}
