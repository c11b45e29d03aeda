import type { FormatOptions } from '../articles/format.js';
import { parseTemplate, TemplateError, type Template } from '../articles/template.js';
import { DEFAULT_TEMPLATE, postTime, renderTemplate, type TemplateArticle } from '../articles/template-render.js';
import { trackedLink } from '../articles/tracked-link.js';
import type { EditionsStore } from '../store/editions-store.js';
import { digestPostText, isDigestArticle } from '../editions/digest.js';

/** What an article brings to its post: the formatter's fields and where it came from. */
export type EditionArticle = TemplateArticle & { source?: string };

export interface EditionsOptions {
  store: EditionsStore;
  format: FormatOptions;
  timezone: string;
  /**
   * The channels' short names; the first is the default one (NEWSDESK_CHANNEL_NAME). A function is
   * asked at each use, so channels added later (the registry, `channel add`) count too.
   */
  channels: readonly string[] | (() => readonly string[]);
}

/** The feed id of an article queued by a feed (`feed:<id>`), else null. */
export function feedIdOf(source: string | undefined): number | null {
  const match = /^feed:(\d{1,12})$/.exec(source ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * The post text of an article on a channel: its template (the feed's, else the channel's, else
 * the default one, which is today's format exactly), its tracked link, the feed's name and the posting
 * time. One place for the dispatcher and for `preview`, so what an editor previews is what is posted.
 */
export function createEditions(options: EditionsOptions) {
  const { store, format, timezone } = options;
  const names = (): string[] => [...(typeof options.channels === 'function' ? options.channels() : options.channels)];

  /** The template in force for an article from `feedId` on `channel`, and where it comes from. */
  function templateOf(channel: string, feedId: number | null): { template: Template; origin: 'feed' | 'channel' | 'default'; problem?: string } {
    const stored = store.templateFor(channel, feedId);
    if (!stored) return { template: DEFAULT_TEMPLATE, origin: 'default' };
    try {
      return { template: parseTemplate(stored.template), origin: stored.feedId === null ? 'channel' : 'feed' };
    } catch (err) {
      // Checked when set; only a stricter later version could refuse it. Posting goes on in the default form.
      if (!(err instanceof TemplateError)) throw err;
      return { template: DEFAULT_TEMPLATE, origin: 'default', problem: err.message };
    }
  }

  return {
    /** The default channel's short name (NEWSDESK_CHANNEL_NAME). */
    defaultChannel: names()[0]!,
    channels: names,
    has: (name: string) => names().includes(name),
    store,
    templateOf,
    /** The text `article` is posted as on `channel` at time `at`. Throws FormatError for content that cannot be posted. */
    render(article: EditionArticle, channel: string, at: number, invite: string | null): string {
      // A digest holds its whole message (editions/digest.ts): what `preview` shows is what is posted.
      if (article.source !== undefined && isDigestArticle({ source: article.source })) return digestPostText(article);
      return renderWith(templateOf(channel, feedIdOf(article.source)).template, article, channel, at, invite);
    },
    /** Like render, with the template `source` instead of the stored one (to show it before it is saved). Throws TemplateError too. */
    renderWith(source: string) {
      const template = parseTemplate(source);
      return (article: EditionArticle, channel: string, at: number, invite: string | null) => renderWith(template, article, channel, at, invite);
    },
  };

  function renderWith(template: Template, article: EditionArticle, channel: string, at: number, invite: string | null): string {
    const feedId = feedIdOf(article.source);
    return renderTemplate(template, article, {
      format,
      link: trackedLink(article.url, store.utm(channel), channel),
      source: feedId === null ? null : store.feedName(feedId),
      time: postTime(at, timezone),
      invite,
    });
  }
}

export type Editions = ReturnType<typeof createEditions>;
