import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Channel } from '../channel/channel.js';
import { errorMessage, type Logger } from '../log.js';
import type { ApiCore } from './api-core.js';
import { registerApiRoutes } from './api-articles.js';
import { registerDesk, type DeskOptions } from './desk/desk.js';
import { createAuthLimiter } from './auth-limiter.js';
import { installErrorBoundary, loggableUrl } from './error-boundary.js';
import { registerHealthRoutes } from './health.js';
import { registerLoginRoutes } from './login.js';
import type { Metrics } from './metrics.js';
import { registerMetricsRoute } from './metrics-route.js';
import { buildOpenApiDocument } from './openapi.js';

/** Default largest request body: an article is a few KiB; this leaves room and stops floods early. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export interface HttpServerOptions {
  /** The command core as the API sees it (createApiCore). */
  api: ApiCore;
  /** For /readyz and the login page. */
  channel: Pick<Channel, 'status' | 'info' | 'loginPrompt'>;
  /** Throws when the database does not answer (/healthz). */
  checkDatabase: () => void;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  log: Logger;
  /** NEWSDESK_API_TOKEN. Without it the API answers 503 and /login 404, each saying how to turn them on. */
  token?: string;
  /** NEWSDESK_HTTP_HOST. Default 127.0.0.1: /metrics, /healthz and /readyz have no auth. */
  host?: string;
  /** NEWSDESK_HTTP_PORT; 0 picks a free port. Default 8080. */
  port?: number;
  /** Largest request body in bytes (413 above it). Default 64 KiB. */
  bodyLimitBytes?: number;
  /** The desk (the editors' web page at /), on with the token; without this option it is not served. */
  desk?: Omit<DeskOptions, 'token' | 'log'>;
}

export interface HttpServer {
  /** Starts listening. Rejects with HttpServerError (and a hint) when the port cannot be used. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets requests in flight finish, closes idle keep-alive connections. Idempotent. */
  close(): Promise<void>;
  /** The Fastify instance (for inject() in tests). */
  readonly fastify: FastifyInstance;
}

/** The HTTP server could not start; the message says what to change. */
export class HttpServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpServerError';
  }
}

/**
 * The bot's HTTP server: the CMS API (/api), health (/healthz, /readyz), Prometheus metrics
 * (/metrics) and the WhatsApp login page (/login). Every request is logged at debug; every error goes
 * through one boundary and never takes the process down.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log } = options;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const token = options.token || undefined;

  const app = Fastify({
    logger: false, // requests are logged below through our logger, with tokens redacted
    bodyLimit: bodyLimitBytes,
    // Slow or stuck clients cannot hold a connection forever.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // JSON only (text/plain and everything else is 415); an empty JSON body reads as "no body", so a
  // POST to /cancel with a Content-Type but nothing in it works.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      { reqId: request.id, method: request.method, url: loggableUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
      'HTTP request',
    );
  });
  installErrorBoundary(app, { log, bodyLimitBytes });
  // One count of failed authentication per client address for every door that takes the token.
  const authLimiter = createAuthLimiter({ log });

  registerHealthRoutes(app, { channel: options.channel, checkDatabase: options.checkDatabase, log });
  registerMetricsRoute(app, options.metrics);
  app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    registerApiRoutes(scope, { api: options.api, token, log, limiter: authLimiter });
  });
  app.register(async (scope) => {
    await scope.register(fastifyCookie);
    registerLoginRoutes(scope, { channel: options.channel, token, log, limiter: authLimiter });
  });
  // The API's description is public: it holds no secret, and integrators fetch it before they have one.
  app.get('/api/openapi.json', async (_request, reply) => reply.header('cache-control', 'no-cache').send(buildOpenApiDocument()));
  const desk = options.desk;
  if (desk) app.register(async (scope) => registerDesk(scope, { ...desk, token, log: log.child({ part: 'desk' }) }));

  let listening: Promise<{ url: string; port: number }> | null = null;
  let closing: Promise<void> | null = null;

  return {
    fastify: app,
    listen() {
      listening ??= (async () => {
        try {
          await app.listen({ host, port });
        } catch (cause) {
          const code = (cause as { code?: unknown }).code;
          const hint =
            code === 'EADDRINUSE'
              ? `port ${port} is in use: stop what uses it or set NEWSDESK_HTTP_PORT to a free port`
              : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
                ? `${host} is not an address of this machine: set NEWSDESK_HTTP_HOST (127.0.0.1, or 0.0.0.0 in a container)`
                : code === 'EACCES'
                  ? `port ${port} needs privileges: use a port above 1023`
                  : 'check NEWSDESK_HTTP_HOST and NEWSDESK_HTTP_PORT';
          throw new HttpServerError(`cannot listen on ${host}:${port}: ${errorMessage(cause)} (${hint})`, { cause });
        }
        const address = app.server.address() as AddressInfo;
        const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
        log.info(
          { url, api: token ? 'on' : 'off (NEWSDESK_API_TOKEN not set)', bodyLimitBytes },
          token ? `HTTP server listening on ${url} (login page: ${url}/login)` : `HTTP server listening on ${url}; API and /login are off until NEWSDESK_API_TOKEN is set`,
        );
        return { url, port: address.port };
      })();
      return listening;
    },
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
