import * as z from 'zod';
import { articleInputSchema } from '../../articles/article.js';
import { pipedArticle } from '../args.js';

/**
 * `image=<url>` or `channel=<names>` before the headline or after the link. One space on the headline's
 * (or link's) side is enough: the parts are trimmed (pipedArticle).
 */
const LEADING = /^\s*(image|channel)=(\S*)\s/i;
const TRAILING = /\s(image|channel)=(\S*)\s*$/i;
/** A channel's short name (CHANNEL_NAME in config.ts). */
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** The code of the issues added here: never shown, only their messages are. */
// Stryker disable next-line StringLiteral: the code is never shown, so any string does
const CUSTOM = 'custom' as const;

/**
 * `headline | summary | link`, with an optional `image=<url>` and an optional `channel=<name>[,<name>…]`,
 * each before the headline or after the link. With image=, the article is posted as that image with the
 * text as its caption; the image URL is checked like any link (http(s), no user name, …), whether it
 * really is an image when it is posted. With channel=, it goes to exactly those channels instead of
 * where routing would send it (an unknown name is refused when it is queued, naming the known ones).
 */
export const pipedArticleWithImage = z
  .string()
  .transform((text, ctx): { rest: string; image?: string; channels?: string[] } => {
    const found: { image?: string; channels?: string[] } = {};
    let rest = text;
    for (let match = LEADING.exec(rest) ?? TRAILING.exec(rest); match; match = LEADING.exec(rest) ?? TRAILING.exec(rest)) {
      const key = match[1]!.toLowerCase() as 'image' | 'channel';
      // Stryker disable next-line StringLiteral: (\S*) always takes part in the match, so match[2] is never undefined
      const value = match[2] ?? '';
      if (key === 'image' ? found.image !== undefined : found.channels !== undefined) {
        ctx.addIssue({ code: CUSTOM, message: `${key}= is given twice: give it once${key === 'channel' ? ', with the names separated by commas (channel=main,sport)' : ''}` });
        return z.NEVER;
      }
      if (!value) {
        ctx.addIssue({
          code: CUSTOM,
          message: key === 'image' ? 'image= needs the image\'s link, e.g. image=https://news.example.com/photo.jpg' : 'channel= needs a channel\'s short name, e.g. channel=sport or channel=main,sport',
        });
        return z.NEVER;
      }
      if (key === 'image') found.image = value;
      else {
        const names = value.toLowerCase().split(',').filter(Boolean);
        const bad = names.filter((n) => !CHANNEL_NAME.test(n));
        if (names.length === 0 || bad.length > 0) {
          ctx.addIssue({ code: CUSTOM, message: `channel= takes short channel names separated by commas (e.g. channel=main,sport); "${bad[0] ?? value}" is not one` });
          return z.NEVER;
        }
        found.channels = [...new Set(names)];
      }
      // Cut at the match itself: the same words may come earlier too (a headline about "channel=sport").
      // Stryker disable next-line StringLiteral: the cut is at either end, where pipedArticle trims the spaces
      rest = `${rest.slice(0, match.index)} ${rest.slice(match.index + match[0].length)}`;
    }
    return { rest, ...found };
  })
  .transform((input, ctx) => {
    const article = pipedArticle.safeParse(input.rest);
    if (!article.success) {
      for (const issue of article.error.issues) ctx.addIssue({ code: CUSTOM, message: issue.message });
      return z.NEVER;
    }
    const channels = input.channels ? { channels: input.channels } : {};
    // Equivalent surviving mutant, not disabled (that would also hide the killed true): false, as without image= the image check passes undefined through, the same answer
    if (input.image === undefined) return { ...article.data, ...channels };
    const image = articleInputSchema().shape.imageUrl.safeParse(input.image);
    if (!image.success) {
      for (const issue of image.error.issues) ctx.addIssue({ code: CUSTOM, message: issue.message });
      return z.NEVER;
    }
    return { ...article.data, imageUrl: image.data, ...channels };
  });
