import type { ChannelSpec } from './channel-spec.js';

/** The part of an article routing looks at: its category and where it came from (`feed:<id>` for a feed). */
export interface RoutedArticle {
  category: string | null;
  source: string;
}

/** A channel named at queue time that is not in the registry. */
export class UnknownChannelError extends Error {
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
  ) {
    super(
      `no channel named ${unknown.map((n) => `"${n}"`).join(', ')}: the channels are ${known.join(', ')} (see "channel list"; add one with "channel add")`,
    );
    this.name = 'UnknownChannelError';
  }
}

/** The feed id of an article a feed brought (`feed:12`), or null. */
export function feedIdOf(source: string): number | null {
  const m = /^feed:(\d+)$/.exec(source);
  return m ? Number(m[1]) : null;
}

const norm = (s: string) => s.trim().toLowerCase();

/** Whether a channel's filters take the article: no filter takes everything; else a category or a feed must match. */
export function channelTakes(channel: Pick<ChannelSpec, 'categories' | 'feeds'>, article: RoutedArticle): boolean {
  const categories = channel.categories ?? [];
  const feeds = channel.feeds ?? [];
  if (categories.length === 0 && feeds.length === 0) return true;
  const category = article.category === null ? null : norm(article.category);
  // Stryker disable next-line ConditionalExpression: with no category, no normalised category equals null either
  if (category !== null && categories.some((c) => norm(c) === category)) return true;
  const feedId = feedIdOf(article.source);
  // Stryker disable next-line ConditionalExpression: feeds holds numbers only, so it never includes null
  return feedId !== null && feeds.includes(feedId);
}

/**
 * The channels an article is posted on (issue 15). Channels named at queue time win: exactly those
 * (an unknown name throws UnknownChannelError, naming the known ones). Otherwise every channel whose
 * filters take it (channelTakes), except channels whose digest replaces single posts (`instead`: their
 * digest lists the article); when none is left, the default channel takes it, so nothing is dropped.
 * Paused channels are routed to as well: their posts wait for `channel resume`.
 */
export function routeArticle(article: RoutedArticle, channels: readonly ChannelSpec[], explicit?: readonly string[]): string[] {
  const known = channels.map((c) => c.name);
  if (explicit && explicit.length > 0) {
    const named = [...new Set(explicit.map(norm))];
    const unknown = named.filter((n) => !known.includes(n));
    if (unknown.length > 0) throw new UnknownChannelError(unknown, known);
    return named;
  }
  const matched = channels.filter((c) => c.digest?.mode !== 'instead' && channelTakes(c, article)).map((c) => c.name);
  if (matched.length > 0) return matched;
  const fallback = channels.find((c) => c.isDefault) ?? channels[0];
  // Stryker disable next-line ConditionalExpression: the registry always lists the config channel
  return fallback ? [fallback.name] : [];
}
