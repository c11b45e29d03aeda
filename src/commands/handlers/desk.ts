import * as z from 'zod';
import { LIMITS } from '../../articles/article.js';
import { FormatError, formatPost, MAX_POST_LENGTH } from '../../articles/format.js';
import { once } from '../../once.js';
import type { DeskStore } from '../../store/desk-store.js';
import { articleId, firstWordAndRest } from '../args.js';
import { articleData } from '../describe.js';
import { invalid, ok, type CommandContext, type CommandResult, type CommandSpec, type StructuredSpec } from '../types.js';
import { formatTime, parseWhen } from '../when.js';
import { feedsCommand } from './feeds.js';
import { statusCommand } from './inspect.js';

/**
 * What the desk (the web page) adds to the core: two actions every door can use (`post-now`,
 * `reschedule`) and the read-only queries its pages are drawn from. The queries change nothing, so
 * the core runs them without an audit entry (see CommandCore.query).
 */

function deskOf(ctx: CommandContext): DeskStore {
  if (!ctx.desk) throw new Error('the desk queries are not wired into this command context');
  return ctx.desk;
}

export const postNowCommand: CommandSpec<number> = {
  name: 'post-now',
  usage: 'post-now <id>',
  example: 'post-now 12',
  summary: 'make a queued article breaking, so it goes out next as pacing allows',
  args: articleId,
  run(id, ctx) {
    const { article, changed } = deskOf(ctx).promote(id, ctx.clock.now());
    if (!article) return invalid(`There is no article #${id}. Use "list all" to see ids.`, { id }, 'not-found');
    if (!changed) {
      const why = article.status !== 'queued' ? `it is ${article.status}` : 'it is already breaking';
      return invalid(`#${id} cannot be posted now: ${why}.`, { article: articleData(article) }, 'conflict');
    }
    ctx.wake();
    return ok(`#${id} is now breaking: it goes out as soon as pacing allows.`, { article: articleData(article) });
  },
};

const rescheduleArgs = firstWordAndRest.transform(({ first, rest }, issue) => {
  const id = articleId.safeParse(first);
  // Stryker disable next-line MethodExpression: rest follows the first space of a trimmed text, so it is empty or ends in a non-space: never blank
  if (!id.success || !rest.trim()) {
    issue.addIssue({ code: 'custom', message: 'needs an article id and a time, e.g. "reschedule 12 18:30"' });
    return z.NEVER;
  }
  // Stryker disable next-line MethodExpression: parseWhen trims the time itself
  return { id: id.data, when: rest.trim() };
});

export const rescheduleCommand: CommandSpec<z.output<typeof rescheduleArgs>> = {
  name: 'reschedule',
  usage: 'reschedule <id> <when>',
  example: 'reschedule 12 18:30',
  summary: 'move a queued article to a time: 18:30, +45m, or 2026-12-01T08:00',
  args: rescheduleArgs,
  run({ id, when }, ctx) {
    const now = ctx.clock.now();
    const at = parseWhen(when, now, ctx.timezone);
    if (!at.ok) return invalid(at.error, { field: 'when' });
    const { article, changed } = deskOf(ctx).reschedule(id, at.at, now);
    if (!article) return invalid(`There is no article #${id}. Use "list all" to see ids.`, { id }, 'not-found');
    if (!changed) return invalid(`#${id} cannot be rescheduled: it is ${article.status}, not queued.`, { article: articleData(article) }, 'conflict');
    ctx.wake();
    return ok(`#${id} goes out at ${formatTime(at.at, ctx.timezone, now)}.`, { article: articleData(article) });
  },
};

const searchText = () => z.string().max(200, 'the search is at most 200 characters').optional();
const pageSize = () => z.number().int().min(1).max(200).default(50);

const queueInput = once(() =>
  z.strictObject({
    section: z.enum(['upcoming', 'done']),
    filter: z.enum(['queued', 'scheduled', 'posted', 'failed', 'cancelled']).optional(),
    q: searchText(),
    cursor: z.object({ k1: z.number(), k2: z.number(), id: z.number().int() }).nullish(),
    limit: pageSize(),
  }),
);

/** `desk-queue`: one keyset page of the queue (still to go, in posting order; or finished, newest first). */
export const deskQueueQuery: StructuredSpec<z.output<ReturnType<typeof queueInput>>> = {
  name: 'desk-queue',
  input: queueInput,
  run(input, ctx) {
    const page = deskOf(ctx).queuePage({ ...input, now: ctx.clock.now() });
    return ok(`${page.rows.length} articles`, { ...page });
  },
};

/** `desk-status`: what the `status` command says, plus posts per hour and enqueue-to-post times over 24 h. */
export const deskStatusQuery: StructuredSpec<Record<string, never>> = {
  name: 'desk-status',
  input: () => z.strictObject({}),
  async run(_input, ctx, actor) {
    // Stryker disable next-line StringLiteral: status takes no arguments and ignores its input
    const status = await statusCommand.run('', ctx, actor);
    return ok(status.text, { ...status.data, hourly: deskOf(ctx).hourly(ctx.clock.now()) });
  },
};

/** `desk-feeds`: every feed with its health (the `feeds` command's data). */
export const deskFeedsQuery: StructuredSpec<Record<string, never>> = {
  name: 'desk-feeds',
  input: () => z.strictObject({}),
  // Stryker disable next-line StringLiteral: feeds takes no arguments and ignores its input
  run: (_input, ctx, actor) => feedsCommand.run('', ctx, actor),
};

const logInput = once(() =>
  z.strictObject({
    q: searchText(),
    deliveriesBefore: z.number().int().nullish(),
    auditBefore: z.number().int().nullish(),
    limit: pageSize(),
  }),
);

/** `desk-log`: delivery attempts and the audit log, newest first, searched and paged. */
export const deskLogQuery: StructuredSpec<z.output<ReturnType<typeof logInput>>> = {
  name: 'desk-log',
  input: logInput,
  run(input, ctx) {
    const desk = deskOf(ctx);
    return ok('log', {
      deliveries: desk.deliveries({ q: input.q, before: input.deliveriesBefore, limit: input.limit }),
      audit: desk.audit({ q: input.q, before: input.auditBefore, limit: input.limit }),
    });
  },
};

const previewInput = once(() =>
  z.object({
    headline: z.string().max(LIMITS.headline * 4).default(''),
    summary: z.string().max(LIMITS.summary * 2).default(''),
    url: z.string().max(LIMITS.url * 2).default(''),
    priority: z.enum(['normal', 'breaking']).default('normal'),
  }),
);

/**
 * `desk-preview`: exactly the text that would be posted (the same renderer as posting), its length against the
 * limit, what keeps it from being postable, and the article already queued under the same link.
 */
export const deskPreviewQuery: StructuredSpec<z.output<ReturnType<typeof previewInput>>> = {
  name: 'desk-preview',
  input: previewInput,
  run(input, ctx, actor): CommandResult {
    let text = '';
    const problems: string[] = [];
    // The renderer the posting loop uses: the default channel's template and tracked link, when set.
    const editions = ctx.editions;
    try {
      text = editions
        ? editions.render({ ...input, source: actor.id }, editions.defaultChannel, ctx.clock.now(), ctx.runtime().channelInfo?.inviteLink ?? null)
        : formatPost(input, ctx.format);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      problems.push(err.message);
    }
    // Stryker disable next-line MethodExpression: findByLink trims (the URL parser does) and finds nothing for a blank link
    const existing = input.url.trim() ? deskOf(ctx).findByLink(input.url.trim()) : undefined;
    // Stryker disable next-line StringLiteral: one render throws at most one FormatError, so there is never a second problem to separate
    return ok(text || problems.join('; '), {
      text,
      length: text.length,
      maxLength: MAX_POST_LENGTH,
      headlineLength: [...input.headline.trim()].length,
      headlineMax: LIMITS.headline,
      summaryLength: [...input.summary.trim()].length,
      summaryMax: ctx.format.summaryMaxChars,
      problems,
      duplicate: existing ? { id: existing.id, headline: existing.headline, status: existing.status } : null,
    });
  },
};

/** The desk's read-only queries, by name. */
export const DESK_QUERIES: readonly StructuredSpec<never>[] = [deskQueueQuery, deskStatusQuery, deskFeedsQuery, deskLogQuery, deskPreviewQuery] as StructuredSpec<never>[];
