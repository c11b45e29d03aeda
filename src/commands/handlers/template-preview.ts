import * as z from 'zod';
import { formatPost } from '../../articles/format.js';
import { articleId, pipedArticle } from '../args.js';
import { invalid, ok, type CommandSpec } from '../types.js';
import { knownChannel } from './template.js';

type PreviewArgs = { channel: string | null } & ({ id: number } | z.output<typeof pipedArticle>);

const previewArgs = z.string().transform((raw, ctx): PreviewArgs => {
  // Stryker disable next-line MethodExpression: the core trims the arguments before they are parsed
  let text = raw.trim();
  let channel: string | null = null;
  const named = /^channel=(\S+)\s*/i.exec(text);
  if (named) {
    channel = named[1]!;
    text = text.slice(named[0].length);
  }
  const parsed = /^#?\d+$/.test(text) ? articleId.transform((id) => ({ id })).safeParse(text) : pipedArticle.safeParse(text);
  if (parsed.success) return { channel, ...parsed.data };
  // Stryker disable next-line StringLiteral: the issue code is read by no one; the core answers with the message
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/**
 * `preview`: exactly the text that would be posted, through the channel's template and tracked link
 * (the same renderer the posting loop uses); queues nothing.
 */
export const templatePreviewCommand: CommandSpec<PreviewArgs> = {
  name: 'preview',
  usage: 'preview [channel=<name>] <headline> | <summary> | <link>   or   preview [channel=<name>] <id>',
  example: 'preview Flood waters rise | Thousands moved | https://news.example.com/floods',
  summary: "show exactly the text that would be posted, with the channel's template; queues nothing",
  args: previewArgs,
  run(input, ctx) {
    const editions = ctx.editions;
    if (editions && input.channel !== null) {
      const unknown = knownChannel(editions, input.channel);
      if (unknown) return unknown;
    }
    const channel = input.channel ?? editions?.defaultChannel ?? null;
    const render = (article: Parameters<NonNullable<typeof editions>['render']>[0]) =>
      editions && channel ? editions.render(article, channel, ctx.clock.now(), ctx.runtime().channelInfo?.inviteLink ?? null) : formatPost(article, ctx.format);
    if ('id' in input) {
      const article = ctx.queue.get(input.id);
      if (!article) return invalid(`There is no article #${input.id}. Use "list all" to see ids.`, { id: input.id }, 'not-found');
      const text = render(article);
      return ok(text, { id: article.id, text, channel });
    }
    const { channel: _named, ...fields } = input;
    // Stryker disable next-line StringLiteral: only "breaking" changes the text; any other priority renders as normal
    const text = render({ ...fields, priority: 'normal' });
    return ok(text, { text, channel });
  },
};
