import type { FastifyInstance } from 'fastify';
import type { Channel, ChannelState } from '../channel/channel.js';
import { errorMessage, type Logger } from '../log.js';

export interface HealthOptions {
  channel: Pick<Channel, 'status' | 'info' | 'loginPrompt'>;
  /** Throws when the database does not answer (the app passes a `SELECT 1`). */
  checkDatabase: () => void;
  log: Logger;
}

/** What a person should know when the channel is not ready and the adapter gave no detail. */
const DEFAULT_REASON: Record<ChannelState, string> = {
  starting: 'WhatsApp is starting',
  'waiting-for-login': 'WhatsApp waits for a login: open /login with the API token, or read the QR code or pairing code in the logs',
  ready: 'connected, but the channel is not resolved yet',
  disconnected: 'WhatsApp is disconnected and reconnecting',
  'logged-out': 'WhatsApp was logged out from the phone: restart Newsdesk and log in again at /login',
  failed: 'WhatsApp cannot work without a person: see the logs',
  stopped: 'Newsdesk is stopping',
};

/**
 * What /readyz may say about the channel. It has no auth, so it never carries a login secret: while a
 * login waits the adapter's detail holds the pairing code (whoever types it links their phone as the
 * bot), so that state gets a fixed text, and any other detail has the current prompt's value cut out.
 */
function publicReason(channel: HealthOptions['channel']): string {
  const status = channel.status();
  if (status.state === 'waiting-for-login') return DEFAULT_REASON['waiting-for-login'];
  if (status.state === 'ready') return DEFAULT_REASON.ready;
  const detail = status.detail ?? DEFAULT_REASON[status.state];
  const prompt = channel.loginPrompt?.()?.value;
  return prompt ? detail.split(prompt).join('[login code]') : detail;
}

/** An error that only means another process holds the database's write lock right now. */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Liveness and readiness, without auth (they reveal no content and no secret: no QR, no pairing code):
 * - /healthz: the process answers and the database answers. A container restart policy acts on it.
 *   A database locked by another process is `busy`, still 200: the bot waits for it without blocking.
 * - /readyz: WhatsApp is ready and the channel resolved, i.e. posts can go out; 503 with the reason.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const { channel, checkDatabase, log } = options;

  app.get('/healthz', async (_request, reply) => {
    try {
      checkDatabase();
    } catch (err) {
      if (isBusy(err)) return reply.send({ status: 'ok', database: 'busy' });
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
    const reason = publicReason(channel);
    return reply.code(503).send({ ready: false, state: status.state, since, reason, error: `not ready: ${reason}` });
  });
}
