import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandResult } from '../../commands/types.js';
import { buildOpenApiDocument } from '../openapi.js';
import { statusCharts, type HourBucket } from './charts.js';
import { deskActor, type DeskContext } from './desk.js';

/** How many articles, attempts or audit entries one page shows. */
export const PAGE_SIZE = 50;

const QUEUE_FILTERS = ['queued', 'scheduled', 'posted', 'failed', 'cancelled'] as const;
type QueueFilter = (typeof QUEUE_FILTERS)[number];

/** `k1_k2_id` in a link ↔ the sort key a page starts after. */
export function encodeCursor(c: { k1: number; k2: number; id: number }): string {
  return `${c.k1}_${c.k2}_${c.id}`;
}
function decodeCursor(value: unknown): { k1: number; k2: number; id: number } | null {
  if (typeof value !== 'string') return null;
  const m = /^(-?\d{1,16})_(-?\d{1,16})_(\d{1,12})$/.exec(value);
  return m ? { k1: Number(m[1]), k2: Number(m[2]), id: Number(m[3]) } : null;
}
const whole = (value: unknown): number | null => (typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : null);
const text = (value: unknown, max = 200): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/** The link to the same list with some parameters changed (empty ones left out). */
function withParams(path: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A query's data, or an error the page shows in place of it. */
async function read(ctx: DeskContext, request: FastifyRequest, name: string, input: unknown): Promise<CommandResult> {
  return ctx.core.query(name, input, deskActor(request));
}

/** The desk's pages: Status, Compose, Queue, Feeds, Log, and the API description. */
export function registerDeskPages(app: FastifyInstance, ctx: DeskContext): void {
  const failed = (request: FastifyRequest, reply: FastifyReply, result: CommandResult) =>
    ctx.render(request, reply, 'error', { title: 'Error', message: result.text, code: 500 }, 500);

  app.get('/', async (request, reply) => {
    const result = await read(ctx, request, 'desk-status', {});
    if (result.status !== 'ok') return failed(request, reply, result);
    const charts = statusCharts(result.data.hourly as HourBucket[], ctx.timezone);
    return ctx.render(request, reply, 'status', { title: 'Status', current: 'status', s: result.data, charts });
  });

  app.get('/compose', async (request, reply) => ctx.render(request, reply, 'compose', { title: 'Compose', current: 'compose', values: { priority: 'normal' }, problems: [] }));

  app.get('/queue', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const status = (QUEUE_FILTERS as readonly string[]).includes(String(query.status)) ? (query.status as QueueFilter) : undefined;
    const q = text(query.q);
    const showUpcoming = !status || status === 'queued' || status === 'scheduled';
    const showDone = !status || !showUpcoming;
    const upCursor = decodeCursor(query.up);
    const doneCursor = decodeCursor(query.done);
    const base = { status: status ?? null, q: q || null };
    const section = async (name: 'upcoming' | 'done', cursor: ReturnType<typeof decodeCursor>, key: 'up' | 'done') => {
      const result = await read(ctx, request, 'desk-queue', { section: name, filter: status, q: q || undefined, cursor, limit: PAGE_SIZE });
      if (result.status !== 'ok') return { error: result.text, rows: [], nextHref: null, firstHref: null };
      const next = result.data.next as { k1: number; k2: number; id: number } | null;
      const keep = key === 'up' ? { done: typeof query.done === 'string' ? query.done : null } : { up: typeof query.up === 'string' ? query.up : null };
      return {
        rows: result.data.rows,
        nextHref: next ? withParams('/queue', { ...base, ...keep, [key]: encodeCursor(next) }) : null,
        firstHref: cursor ? withParams('/queue', { ...base, ...keep }) : null,
      };
    };
    const upcoming = showUpcoming ? await section('upcoming', upCursor, 'up') : null;
    const done = showDone ? await section('done', doneCursor, 'done') : null;
    return ctx.render(request, reply, 'queue', { title: 'Queue', current: 'queue', status: status ?? '', q, upcoming, done, filters: QUEUE_FILTERS, back: request.url });
  });

  app.get('/feeds', async (request, reply) => {
    const result = await read(ctx, request, 'desk-feeds', {});
    if (result.status !== 'ok') return failed(request, reply, result);
    return ctx.render(request, reply, 'feeds', { title: 'Feeds', current: 'feeds', feeds: result.data.feeds, values: {} });
  });

  app.get('/log', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const q = text(query.q);
    const input = { q: q || undefined, deliveriesBefore: whole(query.d), auditBefore: whole(query.a), limit: PAGE_SIZE };
    const result = await read(ctx, request, 'desk-log', input);
    if (result.status !== 'ok') return failed(request, reply, result);
    const deliveries = result.data.deliveries as { rows: unknown[]; next: number | null };
    const audit = result.data.audit as { rows: unknown[]; next: number | null };
    const keep = { q: q || null, d: typeof query.d === 'string' ? query.d : null, a: typeof query.a === 'string' ? query.a : null };
    return ctx.render(request, reply, 'log', {
      title: 'Log',
      current: 'log',
      q,
      deliveries: deliveries.rows,
      audit: audit.rows,
      deliveriesNext: deliveries.next ? withParams('/log', { ...keep, d: String(deliveries.next) }) : null,
      auditNext: audit.next ? withParams('/log', { ...keep, a: String(audit.next) }) : null,
      firstHref: keep.d || keep.a ? withParams('/log', { q: keep.q }) : null,
    });
  });

  app.get('/docs/api', { config: { deskPublic: true } }, async (request, reply) =>
    ctx.render(request, reply, 'api-docs', { title: 'HTTP API', current: 'api', doc: buildOpenApiDocument() }),
  );
}
