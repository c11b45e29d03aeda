import * as z from 'zod';
import { articleInputSchema } from '../../articles/article.js';
import { formatPost } from '../../articles/format.js';
import { LinkTakenError, type Correction } from '../../store/corrections-store.js';
import { articleId, firstWordAndRest, pipedArticle } from '../args.js';
import { invalid, type Actor, type CommandContext, type CommandResult, type CommandSpec, type StructuredSpec } from '../types.js';

const correctArgs = firstWordAndRest.pipe(
  z.object({ first: articleId, rest: pipedArticle }),
).transform(({ first, rest }) => ({ id: first, ...rest }));

export type CorrectInput = z.output<typeof correctArgs>;

/** How often `correct` looks whether the bot has applied the correction. */
const POLL_MS = 100;

/**
 * `correct <id> <headline> | <summary> | <link>`: corrects a posted article (on every channel it was posted on,
 * also when another channel failed it, whose retry then posts the new version). The new version is stored
 * (every version stays, see `show`), and the bot edits the post on the channel, or, when WhatsApp will
 * not edit it (too old, refused, not found), posts a follow-up "✏️ Correction: …" quoting the headline.
 * The reply says which was done; when the bot is not running or has not finished yet, that it is recorded.
 */
export async function correctArticle(ctx: CommandContext, actor: Actor, input: CorrectInput): Promise<CommandResult> {
  const corrections = ctx.corrections;
  if (!corrections) return invalid('Corrections are not available here.');
  const article = ctx.queue.get(input.id);
  if (!article) return invalid(`There is no article #${input.id}. Use "list all" to see ids.`, { id: input.id }, 'not-found');
  const posted = latestPostedPerChannel(ctx, input.id);
  if (posted.length === 0) {
    const why =
      article.status === 'posted'
        ? `#${input.id} was posted without a message id, so there is no post to edit or quote`
        : `#${input.id} is ${article.status}, not posted: only a posted article can be corrected (a queued one can be cancelled and queued again)`;
    return invalid(`${why}.`, { id: input.id, status: article.status }, 'conflict');
  }
  // Posted on every channel, or on some with the others failed (their retry then posts the new version);
  // not while a channel still waits or posts: it could go out with the old text after the correction.
  if (article.status === 'queued' || article.status === 'posting') {
    return invalid(
      `#${input.id} is still ${article.status} on a channel: correct it once every channel has posted (or failed), or cancel it and queue it again.`,
      { id: input.id, status: article.status },
      'conflict',
    );
  }
  const corrected = { ...article, headline: input.headline, summary: input.summary, url: input.url };
  const invite = ctx.runtime().channelInfo?.inviteLink ?? null;
  // Stryker disable next-line StringLiteral: without editions render() uses formatPost and never looks at the default channel
  const defaultChannel = ctx.editions?.defaultChannel ?? 'main';
  // The post as it would have been posted on its channel (that channel's template), at its own time (a template's {{time}} keeps the original).
  const render = (channel: string, at: number) =>
    ctx.editions ? ctx.editions.render(corrected, channel, at, channel === defaultChannel ? invite : null) : formatPost(corrected, ctx.format);
  const targets = posted.map((d) => ({ channel: d.channel, messageId: d.messageId!, text: render(d.channel, d.finishedAt ?? d.startedAt) }));
  if (targets.every((t, i) => t.text === posted[i]!.text)) {
    return invalid(`#${input.id} already reads like that: nothing to correct.`, { id: input.id }, 'conflict');
  }
  let recorded: { version: number; corrections: Correction[] };
  try {
    recorded = corrections.store.record({ articleId: input.id, headline: input.headline, summary: input.summary, url: input.url, targets, by: actor.id }, ctx.clock.now());
  } catch (err) {
    if (err instanceof LinkTakenError) return invalid(`That link belongs to article #${err.otherId}: give #${input.id} a link of its own.`, { otherId: err.otherId }, 'conflict');
    throw err;
  }
  ctx.wake();
  const ids = recorded.corrections.map((c) => c.id);
  const settled =
    ctx.runtime().running &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: waiting 0 ms (or less) returns the rows as they are, as not waiting does
    corrections.waitMs > 0
      ? await waitForBot(ctx, ids, corrections.waitMs)
      : ids.map((id) => corrections.store.get(id)!);
  const lines = settled.map((c) => describeOutcome(c));
  const data = { id: input.id, version: recorded.version, text: targets[0]!.text, corrections: settled.map(correctionData) };
  const status = settled.some((c) => c.status === 'failed') ? 'error' : 'ok';
  return { status, text: `#${input.id} corrected (version ${recorded.version}): ${lines.join(' ')}`, data };
}

/** The newest posted delivery with a message id, per channel. */
function latestPostedPerChannel(ctx: CommandContext, id: number) {
  const byChannel = new Map<string, ReturnType<CommandContext['queue']['deliveriesOf']>[number]>();
  for (const d of ctx.queue.deliveriesOf(id)) if (d.status === 'posted' && d.messageId) byChannel.set(d.channel, d);
  return [...byChannel.values()];
}

/** Polls the database until every correction is finished or `waitMs` passes (the bot may be another process). */
async function waitForBot(ctx: CommandContext, ids: number[], waitMs: number): Promise<Correction[]> {
  const store = ctx.corrections!.store;
  const open = (c: Correction) => c.status === 'pending' || c.status === 'editing' || c.status === 'following-up';
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = ids.map((id) => store.get(id)!);
    // Stryker disable next-line EqualityOperator: > instead of >= only matters in the one millisecond at the deadline (one more 100 ms poll)
    if (!now.some(open) || Date.now() >= deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function describeOutcome(c: Correction): string {
  switch (c.status) {
    case 'edited':
      return `the post was edited (message ${c.messageId}).`;
    case 'followed-up':
      return `WhatsApp would not edit the post (${c.reason ?? 'refused'}), so a follow-up "✏️ Correction" was posted (message ${c.followUpMessageId}).`;
    case 'failed':
      return `applying it failed: ${c.lastError ?? 'unknown error'}. The new text is stored; "show ${c.articleId}" has the details.`;
    default:
      return `recorded; the bot edits the post (or posts a follow-up when WhatsApp will not edit it) as soon as it is connected. "show ${c.articleId}" tells what was done.`;
  }
}

/** A correction as --json and the API show it. */
export function correctionData(c: Correction): Record<string, unknown> {
  return {
    id: c.id,
    version: c.version,
    channel: c.channel,
    messageId: c.messageId,
    status: c.status,
    method: c.status === 'edited' ? 'edit' : c.followUpText ? 'follow-up' : null,
    followUpMessageId: c.followUpMessageId,
    reason: c.reason,
    error: c.lastError,
    createdAt: new Date(c.createdAt).toISOString(),
    finishedAt: c.finishedAt === null ? null : new Date(c.finishedAt).toISOString(),
  };
}

export const correctCommand: CommandSpec<CorrectInput> = {
  name: 'correct',
  usage: 'correct <id> <headline> | <summary> | <link>',
  example: 'correct 12 Quake hits Sabah | Magnitude 5.9, revised down | https://news.example.com/quake',
  summary: 'correct a posted article: edits the post, or posts a follow-up "✏️ Correction" when WhatsApp will not edit it',
  args: correctArgs,
  run: (input, ctx, actor) => correctArticle(ctx, actor, input),
};

/** A correction as JSON (the HTTP API's POST /api/articles/:id/correct): the same checks as every door. */
export function correctRequestSchema() {
  const shape = articleInputSchema().shape;
  return z.strictObject(
    {
      id: z.number().int().positive(),
      headline: z.string({ error: 'headline is required' }).pipe(shape.headline),
      summary: z.string({ error: 'summary must be a string' }).nullish().transform((v) => v ?? undefined).pipe(shape.summary),
      url: z.string({ error: 'url is required' }).pipe(shape.url),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'the fields are headline, summary, url' : undefined) },
  );
}

/** `correct` with structured input: the API's twin of the text command, sharing correctArticle(). */
export const correctSpec: StructuredSpec<CorrectInput> = {
  name: 'correct',
  input: () => correctRequestSchema(),
  run: (input, ctx, actor) => correctArticle(ctx, actor, input),
};
