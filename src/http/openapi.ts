import * as z from 'zod';
import { ARTICLE_STATUSES } from '../articles/article.js';
import { articleRequestSchema } from '../commands/handlers/enqueue-structured.js';
import { correctRequestSchema } from '../commands/handlers/correct.js';
import { idParams, listQuery } from './api-articles.js';
import { channelAddBody, channelSetBody } from '../commands/handlers/channels.js';
import { channelParams, removeQuery } from './api-channels.js';

/**
 * The OpenAPI 3.1 description of the HTTP API (/api/*), built from the zod schemas the routes
 * validate requests with (so it cannot drift from them) and from the response schemas below, which
 * test/http/desk/openapi.test.ts checks every real answer against.
 */

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const isoTime = z.string().describe('ISO 8601 date-time (UTC)');

/** An article as the API shows it (commands/describe.ts articleData). Open to new fields. */
const articleSchema = z
  .looseObject({
    id: z.number().int(),
    headline: z.string(),
    summary: z.string(),
    url: z.string(),
    canonicalUrl: z.string(),
    imageUrl: nullable(z.string()),
    category: nullable(z.string()),
    priority: z.enum(['normal', 'breaking']),
    publishAt: isoTime,
    timed: z.boolean(),
    source: z.string(),
    status: z.enum(ARTICLE_STATUSES as [string, ...string[]]),
    attempts: z.number().int(),
    nextAttemptAt: nullable(isoTime),
    lastError: nullable(z.string()),
    createdAt: isoTime,
    postedAt: nullable(isoTime),
  });

const deliverySchema = z
  .looseObject({
    id: z.number().int(),
    articleId: z.number().int(),
    attempt: z.number().int(),
    channel: z.string(),
    status: z.enum(['sending', 'posted', 'failed', 'abandoned']),
    text: z.string(),
    messageId: nullable(z.string()),
    error: nullable(z.string()),
    startedAt: nullable(isoTime),
    finishedAt: nullable(isoTime),
  });

const message = z.string().describe('What a person reads: the same reply WhatsApp and the CLI give');

/** What `correct` answers (commands/handlers/correct.ts). */
const correctionSchema = z.looseObject({
  message,
  id: z.number().int(),
  version: z.number().int().describe('The article version this correction made (1 is the original)'),
  text: z.string().describe('The corrected post text'),
  corrections: z.array(
    z.looseObject({
      id: z.number().int(),
      channel: z.string(),
      messageId: z.string().describe('The post being corrected'),
      status: z.enum(['pending', 'editing', 'following-up', 'edited', 'followed-up', 'failed']),
      method: nullable(z.enum(['edit', 'follow-up'])),
      followUpMessageId: nullable(z.string()),
      reason: nullable(z.string()).describe('Why WhatsApp would not edit the post'),
      error: nullable(z.string()),
    }),
  ),
});

const problemSchema = z.object({ field: z.string(), message: z.string() });
const errorSchema = z
  .looseObject({
    error: z.string().describe('What went wrong and what to do about it'),
    problems: z.array(problemSchema).optional().describe('Every problem found (400)'),
    article: articleSchema.optional().describe('The article, when it exists but is in the wrong state (409)'),
  });

const enqueueSchema = z
  .looseObject({ outcome: z.enum(['created', 'requeued', 'existing']), article: articleSchema, text: z.string().describe('The exact text that will be posted'), message });
const listSchema = z.looseObject({ filter: z.string(), articles: z.array(articleSchema), message });
const showSchema = z
  .looseObject({ article: articleSchema, text: z.string(), deliveries: z.array(deliverySchema), message });
const changedSchema = z.looseObject({ article: articleSchema, message });
const statusSchema = z
  .looseObject({
    running: z.boolean(),
    dryRun: z.boolean(),
    channel: nullable(z.looseObject({ state: z.string(), since: nullable(isoTime), detail: z.string().optional() })),
    paused: z.boolean(),
    waiting: nullable(z.looseObject({ reason: z.string(), until: isoTime, breakingMayGo: z.boolean() })),
    counts: z.record(z.string(), z.number().int()),
    lastPost: nullable(articleSchema),
    next: nullable(z.looseObject({ article: articleSchema, notBefore: nullable(isoTime) })),
    message,
  });

/** A channel as the registry resolves it (editions/channel-spec.ts ChannelSpec). */
const channelSchema = z.looseObject({
  name: z.string().describe('Short name: what commands, templates and the outbox call it'),
  target: z.string().describe("The channel id (…@newsletter) or invite link; 'outbox' for the default channel in a dry run"),
  categories: nullable(z.array(z.string())).describe('Articles in these categories go there (null: no category filter)'),
  feeds: nullable(z.array(z.number().int())).describe("Articles from these feeds go there (null: no feed filter)"),
  paused: z.boolean(),
  pacing: z.looseObject({
    minGapMs: z.number().int(),
    maxPerHour: z.number().int().describe('0: no hourly cap'),
    quietHours: nullable(z.string()).describe('Local time, e.g. 23:00-07:00'),
  }).describe('With the global settings filled in'),
  digest: nullable(z.looseObject({ times: z.array(z.string()), top: z.number().int(), mode: z.enum(['besides', 'instead']) })),
  isDefault: z.boolean().describe('The channel of NEWSDESK_CHANNEL (listed first, cannot be removed)'),
});
const channelListSchema = z.looseObject({ channels: z.array(channelSchema), message });
const channelChangedSchema = z.looseObject({ channel: channelSchema, message });
const channelRemovedSchema = z.looseObject({ channel: z.string(), removed: z.boolean(), cancelled: z.number().int().describe('Waiting posts cancelled (force)'), message });

type Schema = z.ZodType;

/** The shared shapes, named: they go in components.schemas and responses point at them. */
const named = z.registry<{ id: string }>();
named.add(articleSchema, { id: 'Article' });
named.add(deliverySchema, { id: 'Delivery' });
named.add(problemSchema, { id: 'Problem' });
named.add(errorSchema, { id: 'Error' });
named.add(enqueueSchema, { id: 'EnqueueResult' });
named.add(listSchema, { id: 'ArticleList' });
named.add(showSchema, { id: 'ArticleWithDeliveries' });
named.add(changedSchema, { id: 'ArticleChanged' });
named.add(correctionSchema, { id: 'CorrectionResult' });
named.add(statusSchema, { id: 'Status' });
named.add(channelSchema, { id: 'Channel' });
named.add(channelListSchema, { id: 'ChannelList' });
named.add(channelChangedSchema, { id: 'ChannelChanged' });
named.add(channelRemovedSchema, { id: 'ChannelRemoved' });
const ERROR_REASONS: Record<number, string> = {
  400: 'The request is invalid; every problem is listed. Nothing was changed',
  401: 'No token, or the wrong one: send "Authorization: Bearer <NEWSDESK_API_TOKEN>"',
  404: 'No such article (or, under /api/channels, no such channel)',
  409: 'The article is in the wrong state for this; under /api/channels: the name or target is taken, posts wait there, or one is going out',
  413: 'The body is larger than the limit (64 KiB by default)',
  415: 'The body is not JSON',
  429: 'Too many requests with a wrong token from this address: wait and try again',
  500: 'Something broke; the reply names the request id to look up in the logs',
  503: 'The API is off (NEWSDESK_API_TOKEN is not set), or the server is shutting down',
};
/** Codes every API route can answer: auth, throttling, breakage, off. */
const ALWAYS = [401, 429, 500, 503];

function responses(ok: Record<number, [string, Schema]>, errors: number[]) {
  const out: Record<string, unknown> = {};
  for (const [code, [description, schema]] of Object.entries(ok)) out[code] = { description, content: { 'application/json': { schema: ref(schema) } } };
  for (const code of [...errors, ...ALWAYS].sort((a, b) => a - b)) {
    out[String(code)] = { description: ERROR_REASONS[code], content: { 'application/json': { schema: ref(errorSchema) } } };
  }
  return out;
}

const ref = (schema: Schema) => ({ $ref: `#/components/schemas/${named.get(schema)?.id ?? 'unnamed'}` });

/** A request schema's input side (what the client sends), inlined. */
function jsonSchema(schema: Schema, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** Path and query parameters from a zod object (its input side: what the client sends). */
function parameters(schema: z.ZodObject, where: 'path' | 'query') {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

let built: Record<string, unknown> | null = null;

/** The OpenAPI 3.1 document for /api/*, built once. */
export function buildOpenApiDocument(): Record<string, unknown> {
  if (built) return built;
  const bearer = [{ bearer: [] }];
  const id = parameters(idParams, 'path');
  const paths = {
    '/api/articles': {
      post: {
        operationId: 'enqueueArticle',
        summary: 'Queue an article (idempotent on its canonical link)',
        security: bearer,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(articleRequestSchema(() => 0), 'input') } } },
        responses: responses(
          { 201: ['Queued (or queued again by an editor door); Location names the article', enqueueSchema], 200: ['The link is already known: the existing article, whatever its status', enqueueSchema] },
          [400, 413, 415],
        ),
      },
      get: {
        operationId: 'listArticles',
        summary: 'The newest articles with a status (like the list command)',
        security: bearer,
        parameters: parameters(listQuery, 'query'),
        responses: responses({ 200: ['The articles, newest first (scheduled ones soonest first)', listSchema] }, [400]),
      },
    },
    '/api/articles/{id}': {
      get: {
        operationId: 'showArticle',
        summary: 'One article with every delivery attempt (like show)',
        security: bearer,
        parameters: id,
        responses: responses({ 200: ['The article, its post text and its attempts', showSchema] }, [400, 404]),
      },
    },
    '/api/articles/{id}/cancel': {
      post: {
        operationId: 'cancelArticle',
        summary: 'Cancel a queued or scheduled article',
        security: bearer,
        parameters: id,
        responses: responses({ 200: ['Cancelled', changedSchema] }, [400, 404, 409]),
      },
    },
    '/api/articles/{id}/retry': {
      post: {
        operationId: 'retryArticle',
        summary: 'Put a failed article back in the queue',
        security: bearer,
        parameters: id,
        responses: responses({ 200: ['Back in the queue with fresh attempts', changedSchema] }, [400, 404, 409]),
      },
    },
    '/api/articles/{id}/correct': {
      post: {
        operationId: 'correctArticle',
        summary: 'Correct a posted article: edits the post, or posts a follow-up "✏️ Correction" when WhatsApp will not edit it (like correct)',
        security: bearer,
        parameters: id,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(correctRequestSchema().omit({ id: true }), 'input') } } },
        responses: responses({ 200: ['Corrected, or recorded for the bot to apply: each correction says which', correctionSchema] }, [400, 404, 409, 415]),
      },
    },
    '/api/status': {
      get: {
        operationId: 'status',
        summary: 'Connection, paused or not, counts, last and next post (like status)',
        security: bearer,
        responses: responses({ 200: ['The bot as it is now', statusSchema] }, []),
      },
    },
    '/api/channels': {
      get: {
        operationId: 'listChannels',
        summary: 'Every channel, the NEWSDESK_CHANNEL one first (like channel list)',
        security: bearer,
        responses: responses({ 200: ['The channels', channelListSchema] }, []),
      },
      post: {
        operationId: 'addChannel',
        summary: 'Add a channel with its filters, pacing and digest (like channel add); null or an empty list for "none"',
        security: bearer,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(channelAddBody(), 'input') } } },
        responses: responses({ 201: ['Added; Location names the channel', channelChangedSchema] }, [400, 409, 413, 415]),
      },
    },
    '/api/channels/{name}': {
      patch: {
        operationId: 'changeChannel',
        summary: 'Change a channel: filters, pacing (null: back to the global setting), digest, paused (like channel set / pause / resume)',
        security: bearer,
        parameters: parameters(channelParams, 'path'),
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(channelSetBody(), 'input') } } },
        responses: responses({ 200: ['Changed', channelChangedSchema] }, [400, 404, 413, 415]),
      },
      delete: {
        operationId: 'removeChannel',
        summary: 'Remove an added channel; 409 while posts wait there unless force=true, which cancels them (like channel remove)',
        security: bearer,
        parameters: [...parameters(channelParams, 'path'), ...parameters(removeQuery, 'query')],
        responses: responses({ 200: ['Removed', channelRemovedSchema] }, [400, 404, 409]),
      },
    },
  };
  const { schemas } = z.toJSONSchema(named, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any', uri: (name) => `#/components/schemas/${name}` }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  built = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Newsdesk HTTP API',
      version: '1',
      description:
        'Queue stories for a WhatsApp Channel from a CMS. Every call runs through the same command core as WhatsApp and the CLI and is in the audit log. Authenticate with "Authorization: Bearer <NEWSDESK_API_TOKEN>".',
    },
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The value of NEWSDESK_API_TOKEN' } } },
  };
  return built;
}
