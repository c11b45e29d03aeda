import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/**
 * GET /metrics in Prometheus text format. No auth, like most exporters: keep the port on a private
 * network (the server listens on 127.0.0.1 unless NEWSDESK_HTTP_HOST says otherwise). It shows counts
 * and states, never article content.
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: Pick<Metrics, 'render' | 'contentType'>): void {
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.render();
    return reply.header('cache-control', 'no-store').type(metrics.contentType).send(body);
  });
}
