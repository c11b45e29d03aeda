import { DEFAULT_UTM, type UtmSettings } from '../articles/tracked-link.js';
import type { Db } from './open-database.js';

/** A template stored for a channel: for every article (feedId null) or for one feed's articles. */
export interface StoredTemplate {
  channel: string;
  feedId: number | null;
  template: string;
  updatedAt: number;
  updatedBy: string;
}

interface TemplateRow {
  channel: string;
  feed_id: number;
  template: string;
  updated_at: number;
  updated_by: string;
}

interface LinksRow {
  utm_enabled: number;
  utm_source: string;
  utm_medium: string;
  utm_campaign: string;
}

const toTemplate = (row: TemplateRow): StoredTemplate => ({
  channel: row.channel,
  feedId: row.feed_id === 0 ? null : row.feed_id,
  template: row.template,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

/**
 * Per-channel publishing settings (templates, tracked links), keyed by the channel's short name.
 * Read by the bot at every post and written by commands from any process.
 */
export function createEditionsStore(db: Db) {
  const s = {
    template: db.prepare<[string, number], TemplateRow>(`SELECT * FROM channel_templates WHERE channel = ? AND feed_id = ?`),
    templates: db.prepare<[string], TemplateRow>(`SELECT * FROM channel_templates WHERE channel = ? ORDER BY feed_id`),
    putTemplate: db.prepare(
      `INSERT INTO channel_templates (channel, feed_id, template, updated_at, updated_by) VALUES (@channel, @feedId, @template, @now, @by)
       ON CONFLICT (channel, feed_id) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    dropTemplate: db.prepare(`DELETE FROM channel_templates WHERE channel = ? AND feed_id = ?`),
    links: db.prepare<[string], LinksRow>(`SELECT utm_enabled, utm_source, utm_medium, utm_campaign FROM channel_links WHERE channel = ?`),
    putLinks: db.prepare(
      `INSERT INTO channel_links (channel, utm_enabled, utm_source, utm_medium, utm_campaign, updated_at, updated_by)
       VALUES (@channel, @enabled, @source, @medium, @campaign, @now, @by)
       ON CONFLICT (channel) DO UPDATE SET utm_enabled = excluded.utm_enabled, utm_source = excluded.utm_source,
         utm_medium = excluded.utm_medium, utm_campaign = excluded.utm_campaign, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    feed: db.prepare<[number], { id: number; title: string | null; url: string }>(`SELECT id, title, url FROM feeds WHERE id = ?`),
  };

  return {
    /** The template stored for exactly this channel and feed (null: the channel-wide one). */
    template(channel: string, feedId: number | null): StoredTemplate | undefined {
      const row = s.template.get(channel, feedId ?? 0);
      return row ? toTemplate(row) : undefined;
    },
    /** The template an article from `feedId` gets on `channel`: the feed's own, else the channel's. */
    templateFor(channel: string, feedId: number | null): StoredTemplate | undefined {
      const own = feedId === null ? undefined : s.template.get(channel, feedId);
      const row = own ?? s.template.get(channel, 0);
      return row ? toTemplate(row) : undefined;
    },
    /** Every template stored for a channel, the channel-wide one first. */
    templates(channel: string): StoredTemplate[] {
      return s.templates.all(channel).map(toTemplate);
    },
    setTemplate(channel: string, feedId: number | null, template: string, now: number, by: string): void {
      s.putTemplate.run({ channel, feedId: feedId ?? 0, template, now, by });
    },
    /** Removes a stored template (the default, or the channel-wide one for a feed, applies again); false if there was none. */
    resetTemplate(channel: string, feedId: number | null): boolean {
      return s.dropTemplate.run(channel, feedId ?? 0).changes > 0;
    },
    /** The channel's tracked-link settings (off unless set). */
    utm(channel: string): UtmSettings {
      const row = s.links.get(channel);
      if (!row) return { ...DEFAULT_UTM };
      return { enabled: row.utm_enabled === 1, source: row.utm_source, medium: row.utm_medium, campaign: row.utm_campaign };
    },
    setUtm(channel: string, utm: UtmSettings, now: number, by: string): void {
      s.putLinks.run({ channel, enabled: utm.enabled ? 1 : 0, source: utm.source, medium: utm.medium, campaign: utm.campaign, now, by });
    },
    /** A feed's name for {{source}} (its title, else its host), or null for an unknown feed. */
    feedName(id: number): string | null {
      const row = s.feed.get(id);
      if (!row) return null;
      if (row.title?.trim()) return row.title.trim();
      try {
        return new URL(row.url).hostname;
      } catch {
        return null; // feed URLs are checked when added; an odd old row just has no name
      }
    },
  };
}

export type EditionsStore = ReturnType<typeof createEditionsStore>;
