import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { errorDetail, type Logger } from '../log.js';

/** Query parameter names whose values are credentials (compared after percent-decoding). */
const SECRET_PARAM = /token|secret|password|passwd|key|auth|session|code/i;

/**
 * A URL as it may be logged: the value of a credential-like query parameter (`?token=`, also spelled
 * `?%74oken=` or `?TOKEN=`, which the query parser decodes to the same name) is replaced.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const pairs = url
    .slice(q + 1)
    .split(/([&;])/)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape stays as it is; the raw name is checked instead.
      }
      return eq !== -1 && SECRET_PARAM.test(name) ? `${rawName}=[redacted]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join('')}`;
}

/** What to tell a client about an error Fastify raised before a handler ran (body, type, JSON). */
function clientMessage(error: FastifyError, request: FastifyRequest, bodyLimitBytes: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than ${bodyLimitBytes} bytes: send one article per request and shorten the summary`;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `send JSON with the header "Content-Type: application/json" (got ${request.headers['content-type'] ? `"${request.headers['content-type'].slice(0, 60)}"` : 'no Content-Type'})`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the body is not valid JSON (or uses __proto__/constructor keys): check quotes, commas and brackets';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length header does not match the body';
    default:
      return `${error.message}: check the request against the API description in the README`;
  }
}

/**
 * The one error boundary for HTTP requests: whatever a handler throws becomes a JSON error reply
 * (5xx logged at error with the request's context, client errors at debug), and the process lives on.
 * Unknown routes get a 404 that lists the real ones.
 */
export function installErrorBoundary(app: FastifyInstance, options: { log: Logger; bodyLimitBytes: number }): void {
  const { log, bodyLimitBytes } = options;

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const context = { reqId: request.id, method: request.method, url: loggableUrl(request.url), status };
    if (status >= 500) {
      log.error({ ...context, ...errorDetail(error) }, `HTTP request failed: ${error.message}`);
      return reply.code(status).send({
        error: `internal error (request ${request.id}): ${error.message}. Check the Newsdesk logs for this request id; POST /api/articles is safe to retry`,
      });
    }
    log.debug({ ...context, code: error.code, err: error.message }, 'HTTP request refused');
    return reply.code(status).send({ error: clientMessage(error, request, bodyLimitBytes) });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: `no such endpoint: ${request.method} ${loggableUrl(request.url).split('?')[0]}. There are POST/GET /api/articles, GET /api/articles/:id, POST /api/articles/:id/cancel and /retry, GET /api/status, /healthz, /readyz, /metrics and /login`,
    }),
  );
}
