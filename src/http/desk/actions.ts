import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { CommandResult } from '../../commands/types.js';
import { deskActor, type DeskContext } from './desk.js';

type Body = Record<string, unknown>;
const field = (body: Body, name: string): string => (typeof body[name] === 'string' ? (body[name] as string) : '');

/** Where to go after an action: the page it was sent from (a same-site path), else `fallback`. */
function backTo(body: Body, fallback: string): string {
  const back = field(body, 'back');
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(back) ? back : fallback;
}

const ARTICLE_ACTIONS = ['cancel', 'retry', 'post-now'] as const;
const FEED_ACTIONS = ['pause', 'resume', 'remove', 'poll'] as const;
const ID = /^\d{1,12}$/;
/** What a `datetime-local` input sends. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/**
 * The desk's actions. Each one is a command of the one core, run as the signed-in editor (door
 * `web`), so it is validated, answered and audited exactly as from WhatsApp or the CLI; the reply's
 * text is shown on the next page (post/redirect/get, so a reload never repeats an action).
 */
export function registerDeskActions(app: FastifyInstance, ctx: DeskContext): void {
  const runAndReturn = async (request: FastifyRequest, reply: FastifyReply, command: string, fallback: string) => {
    const result = await ctx.core.run(command, deskActor(request));
    ctx.flash(request, flashOf(result));
    return reply.redirect(backTo(request.body as Body, fallback), 303);
  };

  app.post('/pause', async (request, reply) => runAndReturn(request, reply, 'pause', '/'));
  app.post('/resume', async (request, reply) => runAndReturn(request, reply, 'resume', '/'));

  app.post('/articles/:id/:action', async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    const body = (request.body ?? {}) as Body;
    if (!ID.test(id)) return reply.code(404).send({ error: 'no such article' });
    if ((ARTICLE_ACTIONS as readonly string[]).includes(action)) return runAndReturn(request, reply, `${action} ${id}`, '/queue');
    if (action === 'reschedule') {
      const at = field(body, 'at').trim();
      if (!LOCAL_TIME.test(at)) {
        ctx.flash(request, { kind: 'error', text: `Pick a date and time for #${id} (in ${ctx.timezone}).` });
        return reply.redirect(backTo(body, '/queue'), 303);
      }
      return runAndReturn(request, reply, `reschedule ${id} ${at}`, '/queue');
    }
    if (action === 'correct') {
      // Structured, like compose: a "|" in a corrected headline cannot split it.
      const values = { id: Number(id), headline: field(body, 'headline'), summary: field(body, 'summary'), url: field(body, 'url').trim() };
      const result = await ctx.core.runStructured('correct', values, deskActor(request));
      ctx.flash(request, flashOf(result));
      return reply.redirect(backTo(body, '/queue'), 303);
    }
    return reply.code(404).send({ error: `no such action: ${action.slice(0, 20)}` });
  });

  app.post('/compose', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const values = {
      headline: field(body, 'headline'),
      summary: field(body, 'summary'),
      url: field(body, 'url').trim(),
      imageUrl: field(body, 'imageUrl').trim(),
      priority: field(body, 'priority') === 'breaking' ? 'breaking' : 'normal',
      publishAt: field(body, 'publishAt').trim(),
    };
    const problems: { field: string; message: string }[] = [];
    let publishAt: string | undefined;
    if (values.publishAt) {
      const local = LOCAL_TIME.test(values.publishAt) ? DateTime.fromISO(values.publishAt, { zone: ctx.timezone }) : null;
      if (!local?.isValid) problems.push({ field: 'publishAt', message: `Publish at must be a date and time (in ${ctx.timezone})` });
      else publishAt = local.toISO({ suppressMilliseconds: true }) ?? undefined;
    }
    const request_ = {
      headline: values.headline,
      summary: values.summary || undefined,
      url: values.url,
      imageUrl: values.imageUrl || undefined,
      priority: values.priority,
      publishAt,
    };
    const result = problems.length ? null : await ctx.core.runStructured('enqueue', request_, deskActor(request));
    if (result?.status === 'ok') {
      const existing = result.data.outcome === 'existing';
      ctx.flash(request, { kind: existing ? 'error' : 'ok', text: result.text });
      return reply.redirect(existing ? '/compose' : '/queue', 303);
    }
    if (result) problems.push(...problemsOf(result));
    return ctx.render(request, reply, 'compose', { title: 'Compose', current: 'compose', values, problems }, 400);
  });

  app.post('/compose/preview', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const result = await ctx.core.query(
      'desk-preview',
      { headline: field(body, 'headline'), summary: field(body, 'summary'), url: field(body, 'url'), priority: field(body, 'priority') === 'breaking' ? 'breaking' : 'normal' },
      deskActor(request),
    );
    if (result.status !== 'ok') return reply.code(400).send({ error: result.text });
    return reply.send(result.data);
  });

  app.post('/feeds', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const url = field(body, 'url').trim();
    const category = field(body, 'category').trim();
    const every = field(body, 'every').trim();
    const values = { url, category, every, priority: field(body, 'priority') };
    const problems: string[] = [];
    if (!url || /\s/.test(url)) problems.push('Feed address: give the feed’s full address, without spaces.');
    if (every && !/^\d{1,6}$/.test(every)) problems.push('Every: a whole number of minutes.');
    let result: CommandResult | null = null;
    if (!problems.length) {
      const options = [
        category ? `category=${category.replace(/\s+/g, '_')}` : '',
        values.priority === 'breaking' ? 'priority=breaking' : '',
        every ? `every=${every}` : '',
      ].filter(Boolean);
      result = await ctx.core.run(['feed add', url, ...options].join(' '), deskActor(request));
      if (result.status === 'ok') {
        ctx.flash(request, { kind: 'ok', text: result.text });
        return reply.redirect('/feeds', 303);
      }
      problems.push(result.text);
    }
    const feeds = await ctx.core.query('desk-feeds', {}, deskActor(request));
    return ctx.render(request, reply, 'feeds', { title: 'Feeds', current: 'feeds', feeds: feeds.data.feeds ?? [], values, problems }, 400);
  });

  app.post('/feeds/:id/:action', async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    if (!ID.test(id) || !(FEED_ACTIONS as readonly string[]).includes(action)) return reply.code(404).send({ error: 'no such feed action' });
    return runAndReturn(request, reply, `feed ${action} ${id}`, '/feeds');
  });
}

function flashOf(result: CommandResult): { kind: 'ok' | 'error'; text: string } {
  return { kind: result.status === 'ok' ? 'ok' : 'error', text: result.text };
}

function problemsOf(result: CommandResult): { field: string; message: string }[] {
  const raw = result.data.problems;
  if (!Array.isArray(raw) || raw.length === 0) return [{ field: '', message: result.text }];
  return raw.map((p: unknown) => (typeof p === 'string' ? { field: '', message: p } : { field: String((p as { field?: unknown }).field ?? ''), message: String((p as { message?: unknown }).message ?? p) }));
}
