import * as z from 'zod';
import { trackedLink, UTM_VALUE, type UtmSettings } from '../../articles/tracked-link.js';
import { ok, type CommandSpec } from '../types.js';
import { editionsOf, knownChannel, SAMPLE_STORY } from './template.js';

interface LinksArgs {
  channel: string;
  turn: 'on' | 'off' | null;
  set: Partial<Pick<UtmSettings, 'source' | 'medium' | 'campaign'>>;
}

const KEYS = { source: 'source', medium: 'medium', campaign: 'campaign', utm_source: 'source', utm_medium: 'medium', utm_campaign: 'campaign' } as const;

const linksArgs = z.string().transform((raw, ctx): LinksArgs => {
  const fail = (message: string) => {
    // Stryker disable next-line StringLiteral: the issue code is read by no one; the core answers with the message
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  // Stryker disable next-line MethodExpression,Regex: the core trims the arguments, and splitting on single spaces leaves only empty words, which filter(Boolean) drops (and \s+ leaves none to drop)
  const [channel, ...words] = raw.trim().split(/\s+/).filter(Boolean);
  if (!channel) return fail("needs the channel's short name, e.g. links main on");
  let turn: LinksArgs['turn'] = null;
  const set: LinksArgs['set'] = {};
  for (const word of words) {
    const lower = word.toLowerCase();
    if (lower === 'on' || lower === 'off') {
      turn = lower;
      continue;
    }
    const eq = word.indexOf('=');
    const key = KEYS[word.slice(0, Math.max(0, eq)).toLowerCase() as keyof typeof KEYS];
    // Stryker disable next-line UnaryOperator: eq === 1 means a one-letter key, which is no option either (and with no "=" the key is "", also none)
    if (eq === -1 || !key) return fail(`"${word.slice(0, 30)}" is not an option: use on, off, source=, medium= or campaign=`);
    const value = word.slice(eq + 1);
    if (!UTM_VALUE.test(value)) return fail(`${key}= needs 1 to 64 letters, digits, ".", "-" or "_" (got "${value.slice(0, 30)}")`);
    set[key] = value;
  }
  return { channel, turn, set };
});

/** `links`: a channel's tracked links (UTM parameters on the posted link; the stored link never changes). */
export const linksCommand: CommandSpec<LinksArgs> = {
  name: 'links',
  usage: 'links <channel> [on|off] [source=<utm_source>] [medium=<utm_medium>] [campaign=<utm_campaign>]',
  example: 'links main on campaign=morning-news',
  summary: 'tracked links: add utm_source, utm_medium and utm_campaign to the posted link (off by default)',
  args: linksArgs,
  run(input, ctx, actor) {
    const editions = editionsOf(ctx);
    if (!('store' in editions)) return editions;
    const unknown = knownChannel(editions, input.channel);
    if (unknown) return unknown;
    const before = editions.store.utm(input.channel);
    const changes = input.turn !== null || Object.keys(input.set).length > 0;
    const utm: UtmSettings = { ...before, ...input.set, ...(input.turn ? { enabled: input.turn === 'on' } : {}) };
    if (changes) editions.store.setUtm(input.channel, utm, ctx.clock.now(), actor.id);
    const example = trackedLink(SAMPLE_STORY.url, { ...utm, enabled: true }, input.channel);
    const params = `utm_source=${utm.source} utm_medium=${utm.medium} utm_campaign=${utm.campaign || input.channel}`;
    const state = utm.enabled
      ? `Tracked links are on for ${input.channel}: ${params}.\nA posted link looks like ${example} (the stored link, and duplicate checks, are unchanged).`
      : `Tracked links are off for ${input.channel}: links are posted as they were queued. When on: ${params}.`;
    return ok(`${changes ? 'Saved. ' : ''}${state}`, { channel: input.channel, utm: { ...utm, campaign: utm.campaign || input.channel }, example: utm.enabled ? example : null });
  },
};
