import type { FeedFailureKind } from '../errors.js';

/** Why a story in a feed was not queued. */
export type SkipReason =
  /** The feed's first poll: existing stories are marked seen, except the newest `backfill`. */
  | 'seen-on-first-poll'
  /** More new stories than the per-poll cap: the oldest of them are skipped for good. */
  | 'over-cap'
  /** The feed's include/exclude words. */
  | 'filtered'
  /** Already queued or seen through another feed, another door, or earlier in this same feed. */
  | 'duplicate'
  | 'no-title'
  | 'no-link'
  /** The item's markup was cut off (broken or truncated XML). */
  | 'incomplete'
  /** The article queue refused the mapped story (see detail). */
  | 'rejected';

/** One story that was not queued, and why. */
export interface SkippedStory {
  reason: SkipReason;
  headline: string | null;
  url: string | null;
  detail: string | null;
}

/** One story queued by a poll. */
export interface QueuedStory {
  articleId: number;
  headline: string;
  url: string;
}

/** How many skipped stories a report lists one by one (the counts cover all of them). */
export const SKIPPED_LISTED = 50;

/** What one poll of one feed did: the value `feed poll` reports and the poller logs. */
export type PollReport =
  | {
      status: 'polled';
      feedId: number;
      url: string;
      /** Items in the document. */
      itemsInFeed: number;
      /** Items this feed had already shown us (nothing to do). */
      known: number;
      queued: QueuedStory[];
      /** Count per reason, over every skipped story. */
      skipped: Partial<Record<SkipReason, number>>;
      /** The first SKIPPED_LISTED skipped stories. */
      skippedStories: SkippedStory[];
      /** Problems that did not stop the poll (recovered markup, an unknown character set). */
      warnings: string[];
    }
  | { status: 'not-modified'; feedId: number; url: string }
  | {
      status: 'failed';
      feedId: number;
      url: string;
      kind: FeedFailureKind;
      error: string;
      consecutiveFailures: number;
      nextPollAt: number;
    }
  /** The feed was removed or the service stopped while the poll ran; nothing more was written. */
  | { status: 'abandoned'; feedId: number; url: string; reason: string };

/** Total skipped stories in a report's counts. */
export function skippedTotal(skipped: Partial<Record<SkipReason, number>>): number {
  return Object.values(skipped).reduce((sum, n) => sum + (n ?? 0), 0);
}
