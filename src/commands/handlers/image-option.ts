import { z } from 'zod';
import { articleInputSchema } from '../../articles/article.js';
import { pipedArticle } from '../args.js';

/** `image=<url>` before the headline or after the link. */
const LEADING = /^\s*image=(\S*)\s+/i;
const TRAILING = /\s+image=(\S*)\s*$/i;

/**
 * `headline | summary | link`, with an optional `image=<url>` before the headline or after the link:
 * the article is then posted as that image with the text as its caption. The image URL is checked like
 * any link (http(s), no user name, …); whether it really is an image is checked when it is posted.
 */
export const pipedArticleWithImage = z
  .string()
  .transform((text, ctx): { rest: string; image?: string } => {
    const match = LEADING.exec(text) ?? TRAILING.exec(text);
    if (!match) return { rest: text };
    if (!match[1]) {
      ctx.addIssue({ code: 'custom', message: 'image= needs the image\'s link, e.g. image=https://news.example.com/photo.jpg' });
      return z.NEVER;
    }
    return { rest: text.replace(match[0], ' '), image: match[1] };
  })
  .transform((input, ctx) => {
    const article = pipedArticle.safeParse(input.rest);
    if (!article.success) {
      for (const issue of article.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    }
    if (input.image === undefined) return article.data;
    const image = articleInputSchema.shape.imageUrl.safeParse(input.image);
    if (!image.success) {
      for (const issue of image.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    }
    return { ...article.data, imageUrl: image.data };
  });
