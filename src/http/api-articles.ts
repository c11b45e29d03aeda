import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { Logger } from '../log.js';
import { LIST_FILTERS, type ListFilter } from '../store/article-reports.js';
import { API_ACTOR, type ApiCore } from './api-core.js';
import { bearerGuard } from './auth.js';
import { createAuthLimiter, type AuthLimiter } from './auth-limiter.js';
import { sendError, sendInvalid, sendResult } from './replies.js';
import { registerChannelRoutes } from './api-channels.js';

export interface ApiRoutesOptions {
  api: ApiCore;
  /** NEWSDESK_API_TOKEN; without it every /api route answers 503 with how to turn the API on. */
  token: string | undefined;
  log: Logger;
  /** Failed-auth counter per client address, shared with /login. Default: one of its own. */
  limiter?: AuthLimiter;
}

export const idParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,12}$/, 'id must be an article id, a whole number such as 12')
    .transform(Number),
});

export const listQuery = z.object({
  status: z
    .enum(LIST_FILTERS as readonly [ListFilter, ...ListFilter[]], { error: `status must be one of ${LIST_FILTERS.join(', ')}` })
    .default('queued'),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be a whole number from 1 to 100')
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(100, 'limit must be at most 100'))
    .default(10),
  /** Skip this many articles (a page by number); or use `cursor`, which stays right while articles are added. */
  offset: z
    .string()
    .regex(/^\d{1,10}$/, 'offset must be a whole number such as 100')
    .transform(Number)
    .optional(),
  /** The `nextCursor` of the previous page: the next page starts after it. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/, 'cursor must be the nextCursor of a previous answer, as it is')
    .optional(),
});

/**
 * The CMS API under /api: queue an article (idempotent on its link), list, show, cancel, retry,
 * status. Bearer-token auth runs before the body is read, so an unauthorised client cannot make the
 * server parse anything.
 */
export function registerApiRoutes(app: FastifyInstance, options: ApiRoutesOptions): void {
  const { api, token, log } = options;

  app.addHook('onRequest', bearerGuard({ token, limiter: options.limiter ?? createAuthLimiter({ log }), log }));

  app.post('/api/articles', async (request, reply) => {
    if (!isJson(request)) {
      return sendError(reply, 415, 'send the article as a JSON object with the header "Content-Type: application/json"');
    }
    const result = await api.enqueue(request.body, API_ACTOR);
    if (result.outcome === 'created' || result.outcome === 'requeued') {
      const id = (result.data.article as { id?: number } | undefined)?.id;
      if (id !== undefined) reply.header('location', `/api/articles/${id}`);
    }
    return sendResult(reply, result);
  });

  app.get('/api/articles', async (request, reply) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return sendInvalid(reply, query.error);
    const { status: filter, limit, offset, cursor } = query.data;
    return sendResult(reply, await api.list({ filter, limit, offset, cursor }, API_ACTOR));
  });

  app.get('/api/articles/:id', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    return sendResult(reply, await api.show(params.data.id, API_ACTOR));
  });

  app.post('/api/articles/:id/cancel', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    return sendResult(reply, await api.cancel(params.data.id, API_ACTOR));
  });

  app.post('/api/articles/:id/retry', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    return sendResult(reply, await api.retry(params.data.id, API_ACTOR));
  });

  app.post('/api/articles/:id/correct', async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    if (!isJson(request)) {
      return sendError(reply, 415, 'send the correction as a JSON object { "headline", "summary", "url" } with the header "Content-Type: application/json"');
    }
    return sendResult(reply, await api.correct(params.data.id, request.body, API_ACTOR));
  });

  app.get('/api/status', async (_request, reply) => sendResult(reply, await api.status(API_ACTOR)));
  registerChannelRoutes(app, api);
}

/** Only JSON reaches a handler with a body (other types are 415 at parsing); this catches a missing type. */
function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
}
