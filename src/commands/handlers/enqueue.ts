import * as z from 'zod';
import type { Article, Priority } from '../../articles/article.js';
import { formatPost, FormatError } from '../../articles/format.js';
import type { EnqueueResult } from '../../store/article-queue.js';
import { firstWordAndRest } from '../args.js';
import { articleData } from '../describe.js';
import { invalid, ok, type Actor, type CommandContext, type CommandResult, type CommandSpec } from '../types.js';
import { formatTime, parseWhen } from '../when.js';
import { pipedArticleWithImage } from './image-option.js';
import { UnknownChannelError } from '../../editions/routing.js';

/** What any door asks to queue; the text doors fill in fewer fields than the API. */
export interface EnqueueRequest {
  headline: string;
  summary?: string;
  url: string;
  priority: Priority;
  publishAt?: number;
  category?: string;
  imageUrl?: string;
  /** The channels it goes to, instead of where routing sends it (`channel=` on queue commands, `channels` in the API). */
  channels?: readonly string[];
}

/**
 * Queues an article for `actor` and says when it goes out. Renders it first, so content that can never
 * be posted is refused now rather than at posting time. Idempotent on the canonical URL.
 */
export function enqueueArticle(ctx: CommandContext, actor: Actor, request: EnqueueRequest): CommandResult {
  const now = ctx.clock.now();
  // Stryker disable next-line StringLiteral: every door's schema gives the summary as a string ('' when absent), so the fallback never applies
  const text = formatPost({ ...request, summary: request.summary ?? '' }, ctx.format);
  // A person queueing a cancelled or failed link again means it; a CMS retrying its request does not.
  const requeueEnded = actor.door !== 'api';
  const { channels, ...input } = request;
  let result: EnqueueResult;
  try {
    result = ctx.queue.enqueue({ ...input, source: actor.id }, now, { requeueEnded, ...(channels ? { channels } : {}) });
  } catch (err) {
    // A channel named that is not in the registry: nothing was queued.
    if (err instanceof UnknownChannelError) return invalid(`${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`, { field: 'channel', known: err.known });
    throw err;
  }
  const { article, outcome } = result;
  const onChannels = ctx.queue.channelsOf(article.id).map((c) => c.channel);
  // An existing article answers with its own text (what was or will be posted), not the request's.
  // Equivalent surviving mutant, not disabled (that would also hide the killed false): true, as a created or requeued article is stored as requested, so its stored text is the request's
  const data = { outcome, article: articleData(article), channels: onChannels, text: outcome === 'existing' ? storedText(article, ctx, text) : text };
  if (outcome === 'existing') {
    const how =
      article.status === 'failed'
        ? ` It failed: retry it (POST /api/articles/${article.id}/retry) to try again.`
        : article.status === 'cancelled'
          ? ' An editor cancelled it: only an editor can queue it again (from WhatsApp or the CLI).'
          : '';
    return ok(`Already known as #${article.id} (${article.status}): that link was queued before, so nothing new was added.${how}`, data);
  }
  ctx.wake();
  const { publishAt, priority } = request;
  const when =
    publishAt !== undefined
      ? `goes out at ${formatTime(publishAt, ctx.timezone, now)}`
      : priority === 'breaking'
        ? 'goes out as soon as pacing allows'
        : 'goes out at the next scheduled release';
  const verb = outcome === 'requeued' ? 'Queued again' : publishAt !== undefined ? 'Scheduled' : 'Queued';
  // Only admins on WhatsApp get delivery receipts (see receipts.ts).
  const receipt = actor.door === 'whatsapp' ? '\nYou will get a message when it is posted.' : '';
  // Named once it is not simply the one default channel.
  const where = onChannels.length === 1 && onChannels[0] === ctx.queue.defaultChannel ? '' : ` on ${onChannels.join(', ')}`;
  return ok(`${verb} #${article.id}${priority === 'breaking' ? ' ⚡ BREAKING' : ''}${where}: ${when}.${receipt}`, data);
}

/** The post text of a stored article; the request's text only if the stored one no longer formats (settings changed). */
function storedText(article: Article, ctx: CommandContext, fallback: string): string {
  try {
    return formatPost(article, ctx.format);
  } catch (err) {
    if (err instanceof FormatError) return fallback;
    throw err;
  }
}

export const queueCommand: CommandSpec<z.output<typeof pipedArticleWithImage>> = {
  name: 'queue',
  usage: 'queue [image=<url>] [channel=<names>] <headline> | <summary> | <link>',
  example: 'queue Flood waters rise in Kelantan | Thousands moved to relief centres | https://news.example.com/floods',
  summary: 'queue a normal article; it goes out at the next scheduled release (with image=, as that image with the text as caption)',
  args: pipedArticleWithImage,
  run: (input, ctx, actor) => enqueueArticle(ctx, actor, { ...input, priority: 'normal' }),
};

export const breakingCommand: CommandSpec<z.output<typeof pipedArticleWithImage>> = {
  name: 'breaking',
  usage: 'breaking [image=<url>] [channel=<names>] <headline> | <summary> | <link>',
  example: 'breaking Earthquake hits Sabah | Magnitude 6.1, no tsunami warning | https://news.example.com/quake',
  summary: 'queue a breaking alert, ahead of everything, out as soon as pacing allows',
  args: pipedArticleWithImage,
  run: (input, ctx, actor) => enqueueArticle(ctx, actor, { ...input, priority: 'breaking' }),
};

const scheduleArgs = firstWordAndRest.pipe(z.object({ first: z.string().min(1, 'needs a time'), rest: pipedArticleWithImage }));

export const scheduleCommand: CommandSpec<z.output<typeof scheduleArgs>> = {
  name: 'schedule',
  usage: 'schedule <when> [image=<url>] [channel=<names>] <headline> | <summary> | <link>',
  example: 'schedule 18:30 Budget 2027 explained | What changes for you | https://news.example.com/budget',
  summary: 'post at a time: 18:30 (next occurrence), +45m, or 2026-12-01T08:00',
  args: scheduleArgs,
  run(input, ctx, actor) {
    const when = parseWhen(input.first, ctx.clock.now(), ctx.timezone);
    if (!when.ok) return invalid(when.error, { field: 'when' });
    return enqueueArticle(ctx, actor, { ...input.rest, priority: 'normal', publishAt: when.at });
  },
};
