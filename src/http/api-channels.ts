import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { API_ACTOR, type ApiCore } from './api-core.js';
import { sendError, sendInvalid, sendResult } from './replies.js';

/** A channel's short name in a path (the registry checks that it exists). */
export const channelParams = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'name must be a channel\'s short name such as sport (see GET /api/channels)'),
});

/** `DELETE /api/channels/{name}?force=true` also cancels the posts waiting there. */
export const removeQuery = z.object({
  force: z.enum(['true', 'false'], { error: 'force must be true or false' }).optional().transform((v) => v === 'true'),
});

/**
 * The channel registry under /api/channels (issue 15): list, add, change (filters, pacing, digest,
 * paused), remove. Registered inside the API's scope, so the bearer guard runs first.
 */
export function registerChannelRoutes(app: FastifyInstance, api: ApiCore): void {
  const channels = api.channels;
  if (!channels) return;

  app.get('/api/channels', async (_request, reply) => sendResult(reply, await channels.list(API_ACTOR)));

  app.post('/api/channels', async (request, reply) => {
    if (!isJson(request)) return sendError(reply, 415, 'send the channel as a JSON object { "target", "name", … } with the header "Content-Type: application/json"');
    const result = await channels.add(request.body, API_ACTOR);
    const name = (result.data.channel as { name?: string } | undefined)?.name;
    if (result.outcome === 'created' && name) reply.header('location', `/api/channels/${name}`);
    return sendResult(reply, result);
  });

  app.patch('/api/channels/:name', async (request, reply) => {
    const params = channelParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    if (!isJson(request)) return sendError(reply, 415, 'send the changes as a JSON object, e.g. { "paused": true }, with the header "Content-Type: application/json"');
    return sendResult(reply, await channels.update(params.data.name, request.body, API_ACTOR));
  });

  app.delete('/api/channels/:name', async (request, reply) => {
    const params = channelParams.safeParse(request.params);
    if (!params.success) return sendInvalid(reply, params.error);
    const query = removeQuery.safeParse(request.query);
    if (!query.success) return sendInvalid(reply, query.error);
    return sendResult(reply, await channels.remove(params.data.name, query.data.force, API_ACTOR));
  });
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
}
