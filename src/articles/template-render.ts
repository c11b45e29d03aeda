import type { Article } from './article.js';
import { checkPostLink, cleanLine, cutAtWord, FormatError, MAX_POST_LENGTH, neutralizeMarkup, type FormatOptions, type Postable } from './format.js';
import { parseTemplate, type Template, type TemplateField, type TemplateNode } from './template.js';

/**
 * Renders a post from a template (see template.ts). The default template gives exactly what
 * formatPost gives (a property test holds the two together), so a channel without a template of its
 * own posts as before. Pure: no I/O; the caller passes the time and the channel's invite link.
 */

/** Today's post format, written as a template. */
export const DEFAULT_TEMPLATE_SOURCE = '*{{headline}}*{{#summary}}\n\n{{summary}}{{/summary}}\n\n{{link}}';
export const DEFAULT_TEMPLATE: Template = parseTemplate(DEFAULT_TEMPLATE_SOURCE);

/** What an article brings to a template besides the text formatPost uses. */
export type TemplateArticle = Postable & Partial<Pick<Article, 'category'>>;

export interface TemplateContext {
  format: FormatOptions;
  /** The link as it is posted (tracked-link.ts adds UTM parameters); default the article's own link. */
  link?: string;
  /** The feed's name, for {{source}}. */
  source?: string | null;
  /** The posting time as shown, for {{time}} (see postTime). */
  time?: string;
  /** The channel's invite link, for {{invite}}. */
  invite?: string | null;
}

/**
 * Renders `article` with `template`. Field values are made safe exactly as formatPost makes them
 * (controls removed, whitespace folded, WhatsApp markup replaced by look-alikes), links are checked,
 * and the summary is cut at a word boundary (never inside a grapheme) to its maximum and to what fits
 * in MAX_POST_LENGTH. Throws FormatError for content that can never be posted.
 */
export function renderTemplate(template: Template, article: TemplateArticle, context: TemplateContext): string {
  const headline = cleanLine(article.headline);
  if (!headline) throw new FormatError('headline is empty: give the article a headline');
  const link = checkPostLink(context.link ?? article.url);
  const title = article.priority === 'breaking' ? `${cleanLine(context.format.breakingLabel)}: ${headline}` : headline;

  const values: Record<TemplateField, string> = {
    headline: neutralizeMarkup(title),
    summary: '',
    link,
    category: neutralizeMarkup(cleanLine(article.category ?? '')),
    source: neutralizeMarkup(cleanLine(context.source ?? '')),
    time: neutralizeMarkup(cleanLine(context.time ?? '')),
    invite: inviteLink(context.invite),
  };

  const summaryText = neutralizeMarkup(cleanLine(article.summary));
  // Stryker disable next-line ConditionalExpression: an empty summary cut to any room is still empty
  if (summaryText) {
    // Measure the post with the summary present but empty: what is left is the summary's room, shared
    // between its uses. The 2 units of slack are formatPost's, kept so both agree to the character.
    const fixed = render(template.nodes, values, (f) => f === 'summary' || values[f] !== '');
    const uses = fixed.summaryUses;
    const room = uses > 0 ? Math.floor((MAX_POST_LENGTH - fixed.text.length) / uses) - 2 : 0;
    if (uses > 0 && room > 1) values.summary = cutAtWord(summaryText, Math.max(1, context.format.summaryMaxChars), room);
  }

  const { text } = render(template.nodes, values, (f) => values[f] !== '');
  if (text.length > MAX_POST_LENGTH) {
    throw new FormatError(
      `post would be ${text.length} characters, over the ${MAX_POST_LENGTH} limit: shorten the headline or link${template.source === DEFAULT_TEMPLATE_SOURCE ? '' : ', or the template'}`,
    );
  }
  return text;
}

/** `HH:mm` of `at` in `timezone`, for {{time}}. */
export function postTime(at: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/** One pass over the nodes; linear in the size of the output. */
function render(
  nodes: TemplateNode[],
  values: Record<TemplateField, string>,
  present: (field: TemplateField) => boolean,
): { text: string; summaryUses: number } {
  const out: string[] = [];
  let summaryUses = 0;
  const walk = (list: TemplateNode[]) => {
    for (const node of list) {
      if (node.kind === 'text') out.push(node.text);
      else if (node.kind === 'field') {
        if (node.name === 'summary') summaryUses += 1;
        out.push(values[node.name]);
      } else if (present(node.name) !== node.inverted) walk(node.children);
    }
  };
  walk(nodes);
  return { text: out.join(''), summaryUses };
}

/** An invite link goes in as it is when it is one https link; anything else leaves the field empty. */
function inviteLink(raw: string | null | undefined): string {
  // Stryker disable next-line StringLiteral: no invite and a text that is not an https link both give no invite
  const link = (raw ?? '').trim();
  if (!link.startsWith('https://') || /\s/u.test(link)) return '';
  return link;
}
