import type { Article } from '../articles/article.js';
import { formatTime } from './when.js';

/** Short, plain descriptions of articles for replies. */

/** `queued`, `scheduled for 18:30`, `posted 18:31`, … */
export function describeState(a: Article, zone: string, now: number): string {
  switch (a.status) {
    case 'queued':
      if (a.timed && a.publishAt > now) return `scheduled for ${formatTime(a.publishAt, zone, now)}`;
      if (a.nextAttemptAt > now) return `queued, retry at ${formatTime(a.nextAttemptAt, zone, now)}`;
      return 'queued';
    case 'posting':
      return 'posting now';
    case 'posted':
      return `posted ${a.postedAt === null ? '' : formatTime(a.postedAt, zone, now)}`.trim();
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
  }
}

/** One line per article: `#12 ⚡ posted 18:31 · Flood waters rise`. */
export function articleLine(a: Article, zone: string, now: number): string {
  const marker = a.priority === 'breaking' ? ' ⚡' : '';
  const headline = a.headline.length > 80 ? `${a.headline.slice(0, 79)}…` : a.headline;
  return `#${a.id}${marker} ${describeState(a, zone, now)} · ${headline}`;
}

/** The fields of an article the CLI's --json and the API show. */
export function articleData(a: Article): Record<string, unknown> {
  return {
    id: a.id,
    headline: a.headline,
    summary: a.summary,
    url: a.url,
    canonicalUrl: a.canonicalUrl,
    imageUrl: a.imageUrl,
    category: a.category,
    priority: a.priority,
    publishAt: new Date(a.publishAt).toISOString(),
    timed: a.timed,
    source: a.source,
    status: a.status,
    attempts: a.attempts,
    nextAttemptAt: a.nextAttemptAt ? new Date(a.nextAttemptAt).toISOString() : null,
    lastError: a.lastError,
    createdAt: new Date(a.createdAt).toISOString(),
    postedAt: a.postedAt === null ? null : new Date(a.postedAt).toISOString(),
  };
}
