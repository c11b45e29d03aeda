import * as z from 'zod';
import { once } from '../once.js';
import { checkLink } from './link.js';
import { isInvisible, unsafeCharacterProblem } from './text-safety.js';
import { collapseWhitespace } from './whitespace.js';

/** Where an article is in its life. "Scheduled" is a queued article whose publish time is in the future. */
export type ArticleStatus = 'queued' | 'posting' | 'posted' | 'failed' | 'cancelled';
export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['queued', 'posting', 'posted', 'failed', 'cancelled'];

export type Priority = 'normal' | 'breaking';

/** Who put the article in the queue: `admin:<phone>`, `feed:<id>`, `cli`, `api`. */
export type ArticleSource = string;

export interface Article {
  id: number;
  headline: string;
  summary: string;
  url: string;
  canonicalUrl: string;
  imageUrl: string | null;
  category: string | null;
  priority: Priority;
  /** Epoch ms at which the article may go out. */
  publishAt: number;
  /** True when someone asked for a specific time (then the release schedule does not hold it back). */
  timed: boolean;
  source: ArticleSource;
  status: ArticleStatus;
  attempts: number;
  /** Epoch ms before which a failed attempt is not retried. */
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  postedAt: number | null;
}

/** Limits that keep every post inside WhatsApp's message size; see format.ts. */
export const LIMITS = {
  headline: 200,
  summary: 5_000,
  url: 2_000,
  category: 60,
  source: 120,
} as const;

/** A link, checked and normalised by checkLink (see link.ts): what is stored and posted is its `href`. */
const httpUrl = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} must be at most ${max} characters`)
    .transform((value, ctx) => {
      const link = checkLink(field, value);
      if (link.ok) return link.href;
      // Stryker disable next-line StringLiteral: zod keeps the issue and its message whatever the code says
      ctx.addIssue({ code: 'custom', message: link.problem });
      return z.NEVER;
    })
    .pipe(z.string().max(max, `${field} must be at most ${max} characters once normalised (percent-encoded)`));

/** Refuses control characters and text-direction controls (see text-safety.ts) in a text field. */
const safeText = (field: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = unsafeCharacterProblem(field, value);
    // Stryker disable next-line StringLiteral: zod keeps the issue and its message whatever the code says
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Collapses runs of whitespace (including newlines) to single spaces: headlines are one line. */
const oneLine = collapseWhitespace;

/** What any door (admin command, CLI, API, feed) must supply to queue an article. Built on first use (see once.ts). */
export const articleInputSchema = once(() =>
  z.object({
    headline: z
      .string({ error: 'headline is required' })
      .pipe(safeText('headline'))
      .transform(oneLine)
      .pipe(
        z
          .string()
          .min(1, 'headline must not be empty')
          .max(LIMITS.headline, `headline must be at most ${LIMITS.headline} characters`)
          .refine((h) => h.length === 0 || !isInvisible(h), 'headline has no visible characters (only zero-width or blank ones): write the headline'),
      ),
    summary: z
      .string()
      .pipe(safeText('summary'))
      .optional()
      .transform((s) => (s ?? '').trim())
      .pipe(z.string().max(LIMITS.summary, `summary must be at most ${LIMITS.summary} characters`)),
    url: httpUrl('url', LIMITS.url),
    imageUrl: httpUrl('imageUrl', LIMITS.url).optional(),
    category: z
      .string()
      .pipe(safeText('category'))
      .transform(oneLine)
      .pipe(z.string().max(LIMITS.category, `category must be at most ${LIMITS.category} characters`))
      .optional()
      .transform((v) => v || undefined),
    priority: z.enum(['normal', 'breaking'], { error: 'priority must be "normal" or "breaking"' }).default('normal'),
    /** Epoch ms; absent means "as soon as the schedule allows". */
    publishAt: z.number().int().nonnegative().optional(),
    source: z.string().trim().min(1).max(LIMITS.source).default('cli'),
  }),
);

export type ArticleInput = z.input<ReturnType<typeof articleInputSchema>>;
export type ValidArticleInput = z.output<ReturnType<typeof articleInputSchema>>;
