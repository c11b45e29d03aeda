import * as z from 'zod';
import { articleInputSchema, type Priority } from '../../articles/article.js';
import type { StructuredSpec } from '../types.js';
import { enqueueArticle } from './enqueue.js';

/** How far ahead publishAt may be; the same bound as the `schedule` command's. */
const MAX_AHEAD_MS = 366 * 86_400_000;

/** The fields a JSON article may have. Anything else is refused, so a typo like `publish_at` is not silently ignored. */
export const ARTICLE_FIELDS = ['headline', 'summary', 'url', 'priority', 'publishAt', 'category', 'imageUrl', 'channels'] as const;

const EXAMPLE_TIME = 'e.g. 2026-12-01T08:00:00Z or 2026-12-01T16:00:00+08:00';

/** A string field: "is required" when absent, "must be a string" when it is something else. */
const text = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) });

/** Absent and null mean the same for optional fields (CMS serialisers like to send null). */
const optionalText = (field: string) =>
  text(field)
    .nullish()
    .transform((v) => v ?? undefined);

/**
 * A JSON article as the HTTP API takes it. The field checks are the shared ones from
 * articleInputSchema (same limits and messages as every other door); publishAt is an ISO date-time
 * with a zone, which must lie in the future (at most a year ahead).
 */
export function articleRequestSchema(now: () => number) {
  const shape = articleInputSchema().shape;
  return z.strictObject(
    {
      headline: text('headline').pipe(shape.headline),
      summary: optionalText('summary').pipe(shape.summary),
      url: text('url').pipe(shape.url),
      imageUrl: optionalText('imageUrl').pipe(shape.imageUrl),
      category: optionalText('category').pipe(shape.category),
      priority: z
        .enum(['normal', 'breaking'], { error: 'priority must be "normal" or "breaking"' })
        .nullish()
        .transform((v): Priority => v ?? 'normal'),
      // Exactly these channels instead of where routing sends it; an unknown name is refused when it is queued.
      channels: z
        .array(
          z
            .string({ error: 'channels must be short channel names, e.g. ["main", "sport"]' })
            .trim()
            .toLowerCase()
            .regex(
              /^[a-z0-9][a-z0-9_-]{0,31}$/,
              // Stryker disable next-line StringLiteral: without its own message the check takes the string schema's error, the same words
              'channels must be short channel names, e.g. ["main", "sport"]',
            ),
          { error: 'channels must be an array of channel names, e.g. ["main", "sport"]' },
        )
        .min(1, 'channels must name at least one channel; leave it out to route the article by its category and feed')
        .max(50, 'channels names at most 50 channels')
        .nullish()
        .transform((v) => (v ? [...new Set(v)] : undefined)),
      publishAt: z
        .string({ error: `publishAt must be a date-time string, ${EXAMPLE_TIME}` })
        .pipe(z.iso.datetime({ offset: true, error: `publishAt must be an ISO 8601 date-time with a time zone, ${EXAMPLE_TIME}` }))
        .transform((s) => Date.parse(s))
        .refine((at) => at > now(), { error: `publishAt is not in the future: leave it out to post at the next release, or give a later time` })
        .refine((at) => at - now() <= MAX_AHEAD_MS, { error: 'publishAt is more than a year ahead' })
        .nullish()
        .transform((v) => v ?? undefined),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `the fields are ${ARTICLE_FIELDS.join(', ')}`
          : // Equivalent surviving mutant, not disabled (that would also hide the killed false): true, as the object's own issues are only these two kinds
            issue.code === 'invalid_type'
            ? `the body must be a JSON object with the fields ${ARTICLE_FIELDS.join(', ')}`
            : undefined,
    },
  );
}

export type ArticleRequest = z.output<ReturnType<typeof articleRequestSchema>>;

/**
 * `enqueue`: queues a structured article (the HTTP API's POST /api/articles). The structured twin of
 * the `queue` / `breaking` / `schedule` commands, sharing their enqueueArticle().
 */
export const enqueueSpec: StructuredSpec<ArticleRequest> = {
  name: 'enqueue',
  input: (ctx) => articleRequestSchema(() => ctx.clock.now()),
  run: (input, ctx, actor) => enqueueArticle(ctx, actor, input),
};
