import { DateTime } from 'luxon';
import type { Article } from '../articles/article.js';
import { cleanLine, neutralizeMarkup } from '../articles/format.js';
import type { Clock } from '../clock.js';
import { errorDetail, type Logger } from '../log.js';
import type { ArticleQueue } from '../store/article-queue.js';
import { DIGEST_SOURCE_PREFIX, type DigestRecord, type DigestStore } from '../store/digest-store.js';
import type { ChannelSpec } from './channel-spec.js';
import { latestSlot, previousSlot } from './digest-slots.js';
import { channelTakes } from './routing.js';

/** Longest digest text: the article summary limit (5,000) less room to spare. */
const MAX_DIGEST_CHARS = 4_800;

/** Whether an article is a digest (queued by this module): posted as its text, never through a template. */
export function isDigestArticle(article: Pick<Article, 'source'>): boolean {
  return article.source.startsWith(DIGEST_SOURCE_PREFIX);
}

/** The text a digest article is posted as: its summary holds the whole message. */
export function digestPostText(article: Pick<Article, 'summary'>): string {
  return article.summary;
}

/** The stories a digest lists for `channel`: routed there, or (mode instead, no single posts) taken by its filters; top N. */
export function pickStories(
  channel: Pick<ChannelSpec, 'categories' | 'feeds' | 'digest'>,
  candidates: readonly { article: Article; routedHere: boolean }[],
): Article[] {
  const top = channel.digest?.top ?? 5;
  const instead = channel.digest?.mode === 'instead';
  return candidates.filter((c) => c.routedHere || (instead && channelTakes(channel, c.article))).slice(0, top).map((c) => c.article);
}

/** The digest message: a title with the slot's local time, then headline and link per story. Stories that do not fit are left out. */
export function digestText(stories: readonly Article[], slotLabel: string, options: { breakingLabel: string; link?: (url: string) => string }): string {
  let text = `🗞️ *Top stories · ${slotLabel}*`;
  let n = 0;
  for (const story of stories) {
    const label = story.priority === 'breaking' ? `${options.breakingLabel} ` : '';
    const entry = `\n\n${n + 1}. ${label}${neutralizeMarkup(cleanLine(story.headline))}\n${options.link ? options.link(story.url) : story.url}`;
    if (text.length + entry.length > MAX_DIGEST_CHARS) break;
    text += entry;
    n += 1;
  }
  return text;
}

/** The digest article's link: unique per (channel, slot), so the queue's link dedupe never merges two digests; never posted. */
export function digestUrl(channel: string, slot: number): string {
  return `https://newsdesk.invalid/digest/${encodeURIComponent(channel)}/${new Date(slot).toISOString()}`;
}

export interface DigestsOptions {
  /** The registry's channels (channels-store list). */
  channels: () => ChannelSpec[];
  /** When a channel's digest times were last set (channels-store stored().digestSince): slots before it are skipped. */
  digestSince: (channel: string) => number | null;
  store: DigestStore;
  queue: Pick<ArticleQueue, 'enqueue'>;
  timezone: string;
  breakingLabel: string;
  /** The link as posted on `channel` (tracked links); default the story's own. */
  link?: (url: string, channel: string) => string;
  clock: Clock;
  log: Logger;
  /** Called after a digest article was queued (wakes the posting loop). */
  onQueued?: (record: DigestRecord) => void;
}

/**
 * The digests: for each channel with `digest=…`, at its newest slot not yet handled, one article
 * listing the top stories since its previous digest, queued for that channel alone and recorded with
 * its (channel, slot) row in one transaction. Only the newest slot counts, so a bot that was down
 * across several slots posts one digest (covering the whole gap), not one per missed slot; an empty
 * period is recorded and posts nothing.
 */
export function createDigests(options: DigestsOptions) {
  const { store, queue, timezone, clock, log } = options;

  function runChannel(channel: ChannelSpec, now: number): DigestRecord | null {
    const digest = channel.digest;
    if (!digest) return null;
    const slot = latestSlot(digest.times, timezone, now);
    if (slot === null) return null;
    const setAt = options.digestSince(channel.name);
    // Stryker disable next-line ConditionalExpression: with setAt null, slot < null is false for every slot after 1970
    if (setAt !== null && slot < setAt) return null; // set after this slot: the first digest is the next one
    // Stryker disable next-line ConditionalExpression: a fast path; store.once checks the slot again inside its transaction
    if (store.done(channel.name, slot)) return null;
    return store.once(channel.name, slot, now, () => {
      const last = store.last(channel.name);
      const since = last ? last.slot : Math.max(previousSlot(digest.times, timezone, slot), setAt ?? -Infinity);
      const stories = pickStories(channel, store.candidates(channel.name, since, slot));
      if (stories.length === 0) return { articleId: null, stories: 0, since };
      const label = DateTime.fromMillis(slot, { zone: timezone }).toFormat('HH:mm');
      const text = digestText(stories, label, { breakingLabel: options.breakingLabel, link: options.link ? (url) => options.link!(url, channel.name) : undefined });
      const { article } = queue.enqueue(
        { headline: `Top stories · ${label}`, summary: text, url: digestUrl(channel.name, slot), source: `${DIGEST_SOURCE_PREFIX}${channel.name}` },
        now,
        // Stryker disable next-line BooleanLiteral: a digest's link is unique per channel and slot and its slot row is written with it, so it never meets an earlier copy
        { channels: [channel.name], requeueEnded: false },
      );
      return { articleId: article.id, stories: stories.length, since };
    });
  }

  return {
    /** Handles every channel's newest due slot; one channel's failure is logged and never stops the others. */
    runDue(now = clock.now()): DigestRecord[] {
      const done: DigestRecord[] = [];
      for (const channel of options.channels()) {
        try {
          const record = runChannel(channel, now);
          if (!record) continue;
          done.push(record);
          log.info({ channel: record.channel, slot: new Date(record.slot).toISOString(), stories: record.stories, articleId: record.articleId }, record.articleId === null ? 'digest slot: no stories, nothing posted' : 'digest queued');
          if (record.articleId !== null) options.onQueued?.(record);
        } catch (err) {
          log.error({ channel: channel.name, ...errorDetail(err) }, 'digest failed; the next tick tries again');
        }
      }
      return done;
    },
  };
}

export type Digests = ReturnType<typeof createDigests>;
