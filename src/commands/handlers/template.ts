import * as z from 'zod';
import { FormatError } from '../../articles/format.js';
import { parseTemplate, TEMPLATE_FIELDS, TemplateError } from '../../articles/template.js';
import { DEFAULT_TEMPLATE_SOURCE } from '../../articles/template-render.js';
import type { Editions } from '../editions.js';
import { formatTime } from '../when.js';
import { invalid, ok, type CommandContext, type CommandResult, type CommandSpec } from '../types.js';

/** The story every template reply is shown with, so an editor sees the house style at once. */
export const SAMPLE_STORY = {
  headline: 'Flood waters rise in Kelantan',
  summary: 'Thousands have been moved to relief centres as rivers burst their banks overnight.',
  url: 'https://news.example.com/floods',
  priority: 'normal' as const,
  category: 'Nation',
};

const USAGE = 'template set <channel> [feed=<id>] <text>   ·   template show <channel> [feed=<id>]   ·   template reset <channel> [feed=<id>]';

type TemplateArgs =
  | { action: 'set'; channel: string; feedId: number | null; text: string }
  | { action: 'show' | 'reset'; channel: string; feedId: number | null };

/** Reads `<action> <channel> [feed=<id>] [text…]`, keeping the template's own lines and spaces. */
const templateArgs = z.string().transform((raw, ctx): TemplateArgs => {
  const fail = (message: string) => {
    // Stryker disable next-line StringLiteral: the issue code is read by no one; the core answers with the message
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  // Stryker disable next-line MethodExpression: the core passes the arguments without leading space (its \s* after the command name takes it)
  let rest = raw.trimStart();
  const word = () => {
    const m = /^(\S+)(?:[ \t]+|\r?\n|$)/.exec(rest);
    if (!m) return '';
    rest = rest.slice(m[0].length);
    return m[1]!;
  };
  const action = word().toLowerCase();
  if (action !== 'set' && action !== 'show' && action !== 'reset') {
    return fail(action ? `"${action.slice(0, 20)}" is not a template action: use set, show or reset` : 'needs an action: set, show or reset');
  }
  const channel = word();
  if (!channel) return fail("needs the channel's short name, e.g. main");
  let feedId: number | null = null;
  const feed = /^feed=(\S*)(?:[ \t]+|\r?\n|$)/i.exec(rest);
  if (feed) {
    if (!/^#?\d{1,12}$/.test(feed[1]!)) return fail(`feed= needs a feed id such as feed=3 (see "feeds"), not "${feed[1]!.slice(0, 20)}"`);
    feedId = Number(feed[1]!.replace('#', ''));
    rest = rest.slice(feed[0].length);
  }
  if (action === 'set') {
    const text = rest.replace(/^\s+|\s+$/g, '');
    if (!text) return fail('needs the template text after the channel, e.g. template set main *{{headline}}*\\n\\n{{link}}');
    return { action, channel, feedId, text };
  }
  if (rest.trim()) return fail(`"template ${action}" takes only the channel and feed=<id>; "${rest.trim().slice(0, 30)}" is left over`);
  return { action, channel, feedId };
});

/** The editions, or the reason this door cannot change them. */
export function editionsOf(ctx: CommandContext): Editions | CommandResult {
  return ctx.editions ?? invalid('Templates and tracked links are not available here.');
}

/** The channel by its short name, or a refusal naming the ones there are. */
export function knownChannel(editions: Editions, name: string): CommandResult | null {
  if (editions.has(name)) return null;
  const names = editions.channels().map((c) => `"${c}"`).join(', ');
  return invalid(`There is no channel "${name.slice(0, 40)}": the channels are ${names} (NEWSDESK_CHANNEL_NAME names today's).`, { channel: name }, 'not-found');
}

export const templateCommand: CommandSpec<TemplateArgs> = {
  name: 'template',
  usage: USAGE,
  example: 'template set main 📰 *{{headline}}*{{#summary}}\n\n{{summary}}{{/summary}}\n\n🔗 {{link}}',
  summary: `the channel's post template: fields ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(' ')}, optional parts {{#field}}…{{/field}}`,
  args: templateArgs,
  run(input, ctx, actor) {
    const editions = editionsOf(ctx);
    if (!('store' in editions)) return editions;
    const unknown = knownChannel(editions, input.channel);
    if (unknown) return unknown;
    const { channel, feedId } = input;
    const scope = feedId === null ? `channel ${channel}` : `feed #${feedId} on channel ${channel}`;
    if (feedId !== null && editions.store.feedName(feedId) === null) {
      return invalid(`There is no feed #${feedId}. Use "feeds" to see ids.`, { feedId }, 'not-found');
    }

    if (input.action === 'set') {
      try {
        parseTemplate(input.text);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        return invalid(`Template not saved: ${err.message}.\nusage: ${USAGE}`, { problems: [err.message], position: err.position, usage: USAGE });
      }
      const sample = sampleOf(editions, channel, feedId, ctx, input.text);
      if ('error' in sample) {
        return invalid(`Template not saved: ${sample.error}`, { problems: [sample.error] });
      }
      editions.store.setTemplate(channel, feedId, input.text, ctx.clock.now(), actor.id);
      return ok(`Template for ${scope} saved. A post now looks like this:\n\n${sample.text}`, { channel, feedId, template: input.text, sample: sample.text });
    }

    if (input.action === 'reset') {
      const removed = editions.store.resetTemplate(channel, feedId);
      const now = feedId === null ? 'the default template' : `the channel's template`;
      return ok(removed ? `Template for ${scope} removed: ${now} applies again.` : `${scope[0]!.toUpperCase()}${scope.slice(1)} had no template of its own: ${now} applies.`, {
        channel,
        feedId,
        removed,
      });
    }

    const stored = feedId === null ? editions.store.template(channel, null) : editions.store.template(channel, feedId);
    const inForce = editions.templateOf(channel, feedId);
    const source = stored?.template ?? (feedId === null ? DEFAULT_TEMPLATE_SOURCE : inForce.template.source);
    const origin = stored
      ? `set by ${stored.updatedBy} ${formatTime(stored.updatedAt, ctx.timezone, ctx.clock.now())}`
      : feedId === null
        ? 'the default (today\'s format)'
        : inForce.origin === 'channel'
          ? "none of its own: the channel's template applies"
          : 'none of its own: the default applies';
    const warning = inForce.problem ? `\n⚠️ The stored template no longer passes the checks (${inForce.problem}): posts use the default until it is set again.` : '';
    const sample = sampleOf(editions, channel, feedId, ctx);
    const shown = 'text' in sample ? sample.text : `(the sample story cannot be posted with it: ${sample.error})`;
    const others = feedId === null ? editions.store.templates(channel).filter((t) => t.feedId !== null).map((t) => t.feedId) : [];
    const feedsLine = others.length ? `\nFeeds with their own template: ${others.map((id) => `#${id}`).join(', ')}` : '';
    return ok(`Template for ${scope} (${origin}):${warning}\n${source}\n\nWith a sample story:\n\n${shown}${feedsLine}`, {
      channel,
      feedId,
      template: source,
      origin: stored ? (feedId === null ? 'channel' : 'feed') : inForce.origin,
      sample: 'text' in sample ? sample.text : null,
      feedsWithTemplates: others,
    });
  },
};

/** The sample story rendered as it would be posted (with `text` as the template, when given). */
function sampleOf(editions: Editions, channel: string, feedId: number | null, ctx: CommandContext, text?: string): { text: string } | { error: string } {
  const source = feedId === null ? undefined : `feed:${feedId}`;
  try {
    const render = text === undefined ? editions.render : editions.renderWith(text);
    return { text: render({ ...SAMPLE_STORY, source }, channel, ctx.clock.now(), ctx.runtime().channelInfo?.inviteLink ?? null) };
  } catch (err) {
    if (err instanceof FormatError) return { error: err.message };
    throw err;
  }
}
