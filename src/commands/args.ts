import * as z from 'zod';
import { articleInputSchema } from '../articles/article.js';

/** Shared argument readers for the command specs. Each is a zod schema over the text after the command name. */

/** No arguments at all. */
export const noArgs = z.string().trim().max(0, 'takes no arguments');

/** `12` or `#12`. */
export const articleId = z
  .string()
  .trim()
  .regex(/^#?\d{1,12}$/, 'needs an article id such as 12 or #12')
  .transform((s) => Number(s.replace('#', '')));

/** An optional count, 1–100, default 10. */
export const count = (fallback = 10, max = 100) =>
  z
    .string()
    .trim()
    .regex(/^(\d{1,4})?$/, `the count must be a number from 1 to ${max}`)
    .transform((s) => (s ? Number(s) : fallback))
    .pipe(z.number().int().min(1, 'the count must be at least 1').max(max, `the count must be at most ${max}`));

/**
 * `headline | summary | url` or `headline | url`. The headline is the first part, the link the last;
 * anything between is the summary (so a summary may itself contain "|").
 */
export const pipedArticle = z
  .string()
  .transform((text, ctx): { headline: string; summary?: string; url: string } => {
    const parts = text.split('|').map((p) => p.trim());
    if (parts.length < 2) {
      ctx.addIssue({ code: 'custom', message: 'needs at least a headline and a link separated by |' });
      return z.NEVER;
    }
    return { headline: parts[0]!, summary: parts.slice(1, -1).join(' | '), url: parts.at(-1)! };
  })
  // z.lazy: the article schema is built when a command is first parsed, not when the CLI loads (see once.ts)
  .pipe(z.lazy(() => articleInputSchema().pick({ headline: true, summary: true, url: true })));

/** First word split from the rest: `schedule 18:30 Headline | …`. */
export const firstWordAndRest = z.string().transform((text) => {
  const trimmed = text.trim();
  const space = trimmed.search(/\s/);
  return space === -1 ? { first: trimmed, rest: '' } : { first: trimmed.slice(0, space), rest: trimmed.slice(space + 1) };
});
