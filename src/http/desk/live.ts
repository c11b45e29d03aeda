import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { errorDetail, type Logger } from '../../log.js';

/** Subscribes to "something changed" (any write to the database, a channel status change); returns the unsubscribe. */
export type ChangeSource = (listener: () => void) => () => void;

/** Changes closer together than this are sent as one event: a post writes several rows in a row. */
const COALESCE_MS = 40;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;

/**
 * GET /events: server-sent events for the signed-in desk. Each change in the database or the
 * channel's status becomes one `change` event; the page's script then fetches the page again and
 * swaps in its live regions. Streams end when the server closes, so shutdown never waits on them.
 */
export function registerLive(app: FastifyInstance, options: { changes: ChangeSource | undefined; log: Logger }): void {
  const streams = new Set<ServerResponse>();
  let seq = 0;
  let pending: NodeJS.Timeout | null = null;

  const broadcast = () => {
    pending = null;
    seq += 1;
    for (const res of streams) res.write(`event: change\nid: ${seq}\ndata: ${seq}\n\n`);
  };
  const onChange = () => {
    if (streams.size === 0 || pending) return;
    pending = setTimeout(broadcast, COALESCE_MS);
  };
  // Subscribed only while a page listens: no desk open, no watching.
  let unsubscribe: (() => void) | undefined;
  const keepalive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  app.addHook('preClose', async () => {
    clearInterval(keepalive);
    if (pending) clearTimeout(pending);
    unsubscribe?.();
    for (const res of streams) res.end();
    streams.clear();
  });

  app.get('/events', async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
      // Tells nginx not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\nevent: hello\ndata: ${seq}\n\n`);
    streams.add(res);
    unsubscribe ??= options.changes?.(onChange);
    const drop = () => {
      streams.delete(res);
      if (streams.size === 0) {
        unsubscribe?.();
        unsubscribe = undefined;
      }
    };
    res.on('close', drop);
    res.on('error', (err) => {
      drop();
      options.log.debug({ reqId: request.id, ...errorDetail(err) }, 'desk: event stream closed with an error');
    });
  });
}
