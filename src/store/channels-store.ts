import { quietHoursText, type ChannelDefaults, type ChannelSpec } from '../editions/channel-spec.js';
import type { Db } from './open-database.js';

export interface ChannelsStoreOptions {
  /** Cancels what still waits of one article on one channel (the delivery side's article-channels store). */
  cancel?: (articleId: number, now: number, channel: string) => void;
}

/** A channel's digest setting. */
export type DigestSetting = NonNullable<ChannelSpec['digest']>;

/**
 * What is stored of a channel, before the global defaults are filled in: null pacing values follow
 * the global settings; `quietHours` '' is "none", whatever the global setting says.
 */
export interface StoredChannel {
  name: string;
  target: string | null;
  categories: string[] | null;
  feeds: number[] | null;
  paused: boolean;
  minGapSeconds: number | null;
  maxPerHour: number | null;
  quietHours: string | null;
  digest: DigestSetting | null;
  /** When the digest times were last set (slots before it are never posted), or null. */
  digestSince: number | null;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** What `update` may change; a key left out stays as it is, null returns it to the default. */
export interface ChannelChanges {
  categories?: string[] | null;
  feeds?: number[] | null;
  minGapSeconds?: number | null;
  maxPerHour?: number | null;
  /** '23:00-07:00', '' for none, null for the global setting. */
  quietHours?: string | null;
  digest?: DigestSetting | null;
}

export interface NewChannel extends ChannelChanges {
  name: string;
  target: string;
}

/** Why a registry write was refused; commands check first, this guards races and other callers. */
export class ChannelRegistryError extends Error {
  constructor(
    readonly kind: 'duplicate-name' | 'duplicate-target' | 'not-found' | 'default-channel' | 'posts-waiting' | 'posting',
    message: string,
  ) {
    super(message);
    this.name = 'ChannelRegistryError';
  }
}

interface ChannelRow {
  name: string;
  target: string | null;
  categories: string | null;
  feeds: string | null;
  paused: number;
  min_gap_seconds: number | null;
  max_per_hour: number | null;
  quiet_hours: string | null;
  digest_times: string | null;
  digest_top: number | null;
  digest_mode: 'besides' | 'instead' | null;
  digest_since: number | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

const REVISION_KEY = 'channels_revision';

function toStored(row: ChannelRow): StoredChannel {
  const times = row.digest_times === null ? null : (JSON.parse(row.digest_times) as string[]);
  return {
    name: row.name,
    target: row.target,
    categories: row.categories === null ? null : (JSON.parse(row.categories) as string[]),
    feeds: row.feeds === null ? null : (JSON.parse(row.feeds) as number[]),
    paused: row.paused === 1,
    minGapSeconds: row.min_gap_seconds,
    maxPerHour: row.max_per_hour,
    quietHours: row.quiet_hours,
    digest: times && times.length > 0 ? { times, top: row.digest_top ?? 5, mode: row.digest_mode ?? 'besides' } : null,
    digestSince: row.digest_since,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/** Stamps when the digest times changed, so slots from before it are never posted. */
function withDigestSince(before: StoredChannel, after: StoredChannel, now: number): StoredChannel {
  const times = (c: StoredChannel) => JSON.stringify(c.digest?.times ?? null);
  return times(before) === times(after) ? after : { ...after, digestSince: after.digest ? now : null };
}

const json = (value: unknown[] | null | undefined) => (value && value.length > 0 ? JSON.stringify(value) : null);

/**
 * The channel registry: the config channel (always first, `isDefault`) and the channels added by
 * `channel add`. Every read goes to the database (a handful of rows, microseconds), so the bot sees
 * a channel the CLI added at its next read; `revision()` tells cheaply whether anything changed.
 */
export function createChannelsStore(db: Db, defaults: ChannelDefaults, options: ChannelsStoreOptions = {}) {
  // Delivery per channel (article_channels, migration 010) is the delivery side's table: read here only to
  // tell whether a channel still has posts waiting; cancelling goes through its own store (options.cancel).
  const hasDeliveries = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_channels'`).get() !== undefined;
  const waitingRows = hasDeliveries
    ? db.prepare<[string], { article_id: number; status: 'queued' | 'posting' }>(
        `SELECT article_id, status FROM article_channels WHERE channel = ? AND status IN ('queued', 'posting') ORDER BY article_id`,
      )
    : null;
  const s = {
    all: db.prepare<[], ChannelRow>(`SELECT * FROM channels ORDER BY created_at, name`),
    one: db.prepare<[string], ChannelRow>(`SELECT * FROM channels WHERE name = ?`),
    byTarget: db.prepare<[string], ChannelRow>(`SELECT * FROM channels WHERE target = ?`),
    insert: db.prepare(
      `INSERT INTO channels (name, target, categories, feeds, paused, min_gap_seconds, max_per_hour, quiet_hours, digest_times, digest_top, digest_mode,
         digest_since, created_at, created_by, updated_at, updated_by)
       VALUES (@name, @target, @categories, @feeds, @paused, @minGap, @maxPerHour, @quiet, @digestTimes, @digestTop, @digestMode, @digestSince, @now, @by, @now, @by)`,
    ),
    update: db.prepare(
      `UPDATE channels SET categories = @categories, feeds = @feeds, paused = @paused, min_gap_seconds = @minGap, max_per_hour = @maxPerHour,
         quiet_hours = @quiet, digest_times = @digestTimes, digest_top = @digestTop, digest_mode = @digestMode, digest_since = @digestSince, updated_at = @now, updated_by = @by
       WHERE name = @name`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM channels WHERE name = ?`),
    // Its digest history goes with it: a channel added later under the same name starts afresh.
    forgetDigests: db.prepare<[string]>(`DELETE FROM digests WHERE channel = ?`),
    feed: db.prepare<[number], { one: number }>(`SELECT 1 AS one FROM feeds WHERE id = ?`),
    revision: db.prepare<[string], string>(`SELECT value FROM settings WHERE key = ?`).pluck(),
    bump: db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (@key, '1', @now)
       ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT), updated_at = excluded.updated_at`,
    ),
  };

  function resolve(stored: StoredChannel | undefined, isDefault: boolean, name: string): ChannelSpec {
    const quiet = stored?.quietHours;
    return {
      name,
      target: isDefault ? defaults.target : (stored?.target ?? ''),
      categories: stored?.categories ?? null,
      feeds: stored?.feeds ?? null,
      paused: stored?.paused ?? false,
      pacing: {
        minGapMs: stored?.minGapSeconds != null ? stored.minGapSeconds * 1000 : defaults.minGapMs,
        maxPerHour: stored?.maxPerHour ?? defaults.maxPerHour,
        quietHours: quiet === null || quiet === undefined ? quietHoursText(defaults.quietHours) : quiet === '' ? null : quiet,
      },
      digest: stored?.digest ?? null,
      isDefault,
    };
  }

  function storedOf(name: string): StoredChannel | undefined {
    const row = s.one.get(name);
    // A row without a target belongs to the config channel; one left by an earlier NEWSDESK_CHANNEL_NAME is not a channel.
    if (!row || (row.target === null && name !== defaults.name)) return undefined;
    return toStored(row);
  }

  function row(stored: StoredChannel, now: number, by: string) {
    return {
      name: stored.name,
      target: stored.target,
      categories: json(stored.categories),
      feeds: json(stored.feeds),
      paused: stored.paused ? 1 : 0,
      minGap: stored.minGapSeconds,
      maxPerHour: stored.maxPerHour,
      quiet: stored.quietHours,
      digestTimes: json(stored.digest?.times),
      digestTop: stored.digest?.top ?? null,
      digestMode: stored.digest?.mode ?? null,
      digestSince: stored.digestSince,
      now,
      by,
    };
  }

  /** Writes the changes to `name` (creating the config channel's row the first time), in one transaction with the revision bump. */
  const write = db.transaction((name: string, change: (current: StoredChannel) => StoredChannel, now: number, by: string): ChannelSpec => {
    const isDefault = name === defaults.name;
    const current = storedOf(name);
    if (!current && !isDefault) throw new ChannelRegistryError('not-found', `There is no channel "${name}".`);
    const base: StoredChannel = current ?? {
      name, target: null, categories: null, feeds: null, paused: false, minGapSeconds: null, maxPerHour: null, quietHours: null, digest: null,
      digestSince: null, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by,
    };
    const next = withDigestSince(base, change(base), now);
    if (current) s.update.run(row(next, now, by));
    else s.insert.run(row(next, now, by));
    s.bump.run({ key: REVISION_KEY, now });
    return resolve(next, isDefault, name);
  });

  const applyChanges = (c: StoredChannel, changes: ChannelChanges): StoredChannel => ({
    ...c,
    ...(changes.categories !== undefined ? { categories: changes.categories && changes.categories.length ? changes.categories : null } : {}),
    ...(changes.feeds !== undefined ? { feeds: changes.feeds && changes.feeds.length ? changes.feeds : null } : {}),
    ...(changes.minGapSeconds !== undefined ? { minGapSeconds: changes.minGapSeconds } : {}),
    ...(changes.maxPerHour !== undefined ? { maxPerHour: changes.maxPerHour } : {}),
    ...(changes.quietHours !== undefined ? { quietHours: changes.quietHours } : {}),
    ...(changes.digest !== undefined ? { digest: changes.digest } : {}),
  });

  return {
    /** The config channel's short name (NEWSDESK_CHANNEL_NAME). */
    defaultName: defaults.name,
    /** Every channel, the config channel first, then the added ones in the order they were added. */
    list(): ChannelSpec[] {
      const rows = s.all.all().map(toStored);
      const own = rows.find((r) => r.name === defaults.name);
      const added = rows.filter((r) => r.target !== null && r.name !== defaults.name);
      return [resolve(own, true, defaults.name), ...added.map((r) => resolve(r, false, r.name))];
    },
    /** One channel by its short name, or undefined. */
    get(name: string): ChannelSpec | undefined {
      if (name === defaults.name) return resolve(storedOf(name), true, name);
      const stored = storedOf(name);
      return stored ? resolve(stored, false, name) : undefined;
    },
    /** What is stored of a channel (null pacing values: the global setting), for showing defaults as defaults. */
    stored: storedOf,
    /** Whether feed `id` exists (for `feeds=`; read here so the CLI need not load the feed engine). */
    feedExists(id: number): boolean {
      return s.feed.get(id) !== undefined;
    },
    /** The added channel posting to `target`, if any. */
    byTarget(target: string): StoredChannel | undefined {
      const row = s.byTarget.get(target);
      return row ? toStored(row) : undefined;
    },
    /** Goes up by one with every registry write, from any process: compare to know whether to read again. */
    revision(): number {
      return Number(s.revision.get(REVISION_KEY) ?? 0);
    },
    /** Adds a channel. Throws ChannelRegistryError for a name or target already taken. */
    add: db.transaction((input: NewChannel, now: number, by: string): ChannelSpec => {
      if (input.name === defaults.name || s.one.get(input.name)?.target) {
        throw new ChannelRegistryError('duplicate-name', `There is already a channel named "${input.name}".`);
      }
      if (input.target === defaults.target || s.byTarget.get(input.target)) {
        throw new ChannelRegistryError('duplicate-target', `That channel is already registered as "${input.target === defaults.target ? defaults.name : s.byTarget.get(input.target)!.name}".`);
      }
      s.remove.run(input.name); // an orphaned row of an earlier NEWSDESK_CHANNEL_NAME
      const base: StoredChannel = {
        name: input.name, target: input.target, categories: null, feeds: null, paused: false, minGapSeconds: null, maxPerHour: null,
        quietHours: null, digest: null, digestSince: null, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by,
      };
      const stored = withDigestSince(base, applyChanges(base, input), now);
      s.insert.run(row(stored, now, by));
      s.bump.run({ key: REVISION_KEY, now });
      return resolve(stored, false, input.name);
    }),
    /** Changes a channel's filters, pacing or digest. Throws ChannelRegistryError('not-found'). */
    update(name: string, changes: ChannelChanges, now: number, by: string): ChannelSpec {
      return write(name, (c) => applyChanges(c, changes), now, by);
    },
    /** Pauses or resumes one channel. Throws ChannelRegistryError('not-found'). */
    setPaused(name: string, paused: boolean, now: number, by: string): ChannelSpec {
      return write(name, (c) => ({ ...c, paused }), now, by);
    },
    /** The posts still waiting for (queued) or going out to (posting) a channel, by article id. */
    waiting(name: string): { articleId: number; status: 'queued' | 'posting' }[] {
      return (waitingRows?.all(name) ?? []).map((r) => ({ articleId: r.article_id, status: r.status }));
    },
    /**
     * Removes an added channel (the config channel cannot be). Refuses while posts wait for it
     * ('posts-waiting') unless `force`, which cancels them in the same transaction; never while one
     * is going out ('posting'). Returns false when there was no such channel.
     */
    remove: db.transaction((name: string, now: number, force = false): boolean => {
      if (name === defaults.name) {
        throw new ChannelRegistryError('default-channel', `"${name}" is the channel set by NEWSDESK_CHANNEL and cannot be removed; pause it instead.`);
      }
      if (!storedOf(name)) return false;
      const waiting = (waitingRows?.all(name) ?? []);
      if (waiting.some((w) => w.status === 'posting')) {
        throw new ChannelRegistryError('posting', `A post to "${name}" is going out right now; try again in a minute.`);
      }
      if (waiting.length > 0) {
        if (!force || !options.cancel) {
          throw new ChannelRegistryError('posts-waiting', `"${name}" has ${waiting.length} post${waiting.length === 1 ? '' : 's'} waiting.`);
        }
        for (const w of waiting) options.cancel(w.article_id, now, name);
      }
      s.remove.run(name);
      s.forgetDigests.run(name);
      s.bump.run({ key: REVISION_KEY, now });
      return true;
    }),
  };
}

export type ChannelsStore = ReturnType<typeof createChannelsStore>;

/** The configuration's part of the registry (pass `config`); 'outbox' stands for the target in a dry run. */
export function channelDefaultsOf(config: {
  channelName: string;
  channel: { kind: 'id'; id: string } | { kind: 'invite'; link: string } | undefined;
  minGapMs: number;
  maxPostsPerHour: number;
  quietHours: { startMinute: number; endMinute: number } | null;
}): ChannelDefaults {
  return {
    name: config.channelName,
    target: config.channel ? (config.channel.kind === 'id' ? config.channel.id : config.channel.link) : 'outbox',
    minGapMs: config.minGapMs,
    maxPerHour: config.maxPostsPerHour,
    quietHours: config.quietHours,
  };
}
