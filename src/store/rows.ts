import type { Article, ArticleStatus, Priority } from '../articles/article.js';

/** An articles row as SQLite returns it. */
export interface ArticleRow {
  id: number;
  headline: string;
  summary: string;
  url: string;
  canonical_url: string;
  image_url: string | null;
  category: string | null;
  priority: Priority;
  publish_at: number;
  timed: number;
  source: string;
  status: ArticleStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  posted_at: number | null;
}

export function toArticle(row: ArticleRow): Article {
  return {
    id: row.id,
    headline: row.headline,
    summary: row.summary,
    url: row.url,
    canonicalUrl: row.canonical_url,
    imageUrl: row.image_url,
    category: row.category,
    priority: row.priority,
    publishAt: row.publish_at,
    timed: row.timed === 1,
    source: row.source,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    postedAt: row.posted_at,
  };
}

export type DeliveryStatus = 'sending' | 'posted' | 'failed' | 'abandoned';

/** One attempt to post one article. */
export interface Delivery {
  id: number;
  articleId: number;
  attempt: number;
  channel: string;
  status: DeliveryStatus;
  /** The exact text sent (or about to be sent): what a read-back looks for. */
  text: string;
  messageId: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface DeliveryRow {
  id: number;
  article_id: number;
  attempt: number;
  channel: string;
  status: DeliveryStatus;
  text: string;
  message_id: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    articleId: row.article_id,
    attempt: row.attempt,
    channel: row.channel,
    status: row.status,
    text: row.text,
    messageId: row.message_id,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
