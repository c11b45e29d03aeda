import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChannelRegistryError, createChannelsStore } from '../../src/store/channels-store.js';
import { openDatabase } from '../../src/store/open-database.js';
import { tempDir } from '../helpers/temp-dir.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const DEFAULTS = { name: 'main', target: '120363012345678901@newsletter', minGapMs: 120_000, maxPerHour: 20, quietHours: { startMinute: 23 * 60, endMinute: 7 * 60 } };
const SPORT = '120363099999999999@newsletter';

function setup(file = path.join(tempDir(), 'newsdesk.db')) {
  const db = openDatabase(file);
  return { db, file, channels: createChannelsStore(db, DEFAULTS) };
}

describe('channels store', () => {
  it('always lists the config channel first, with the global pacing, and nothing stored for it', () => {
    const { db, channels } = setup();
    expect(channels.list()).toEqual([
      {
        name: 'main', target: DEFAULTS.target, categories: null, feeds: null, paused: false,
        pacing: { minGapMs: 120_000, maxPerHour: 20, quietHours: '23:00-07:00' }, digest: null, isDefault: true,
      },
    ]);
    expect(db.prepare('SELECT count(*) FROM channels').pluck().get()).toBe(0);
  });

  it('adds a channel with its own filters and pacing, the rest from the global settings', () => {
    const { channels } = setup();
    channels.add({ name: 'sport', target: SPORT, categories: ['Sport'], feeds: [3], minGapSeconds: 30, quietHours: '' }, T0, 'cli:test');
    const [main, sport] = channels.list();
    expect(main!.name).toBe('main');
    expect(sport).toEqual({
      name: 'sport', target: SPORT, categories: ['Sport'], feeds: [3], paused: false,
      pacing: { minGapMs: 30_000, maxPerHour: 20, quietHours: null }, digest: null, isDefault: false,
    });
    expect(channels.get('sport')).toEqual(sport);
    expect(channels.get('nope')).toBeUndefined();
  });

  it('refuses a taken name or target, including the config channel', () => {
    const { channels } = setup();
    channels.add({ name: 'sport', target: SPORT }, T0, 'cli');
    const kind = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as ChannelRegistryError).kind;
      }
      return 'none';
    };
    expect(kind(() => channels.add({ name: 'sport', target: '120363011111111111@newsletter' }, T0, 'cli'))).toBe('duplicate-name');
    expect(kind(() => channels.add({ name: 'main', target: '120363011111111111@newsletter' }, T0, 'cli'))).toBe('duplicate-name');
    expect(kind(() => channels.add({ name: 'other', target: SPORT }, T0, 'cli'))).toBe('duplicate-target');
    expect(kind(() => channels.add({ name: 'other', target: DEFAULTS.target }, T0, 'cli'))).toBe('duplicate-target');
    expect(kind(() => channels.remove('main', T0))).toBe('default-channel');
    expect(kind(() => channels.update('ghost', { maxPerHour: 3 }, T0, 'cli'))).toBe('not-found');
  });

  it('stores the config channel\'s own settings as a row, and pausing, resuming and defaults back', () => {
    const { channels } = setup();
    channels.setPaused('main', true, T0, 'cli');
    channels.update('main', { categories: ['Nation'], maxPerHour: 5, digest: { times: ['08:00'], top: 3, mode: 'instead' } }, T0, 'cli');
    let main = channels.get('main')!;
    expect(main).toMatchObject({ paused: true, categories: ['Nation'], isDefault: true, target: DEFAULTS.target, digest: { times: ['08:00'], top: 3, mode: 'instead' } });
    expect(main.pacing.maxPerHour).toBe(5);
    channels.update('main', { maxPerHour: null, categories: [], digest: null }, T0, 'cli');
    channels.setPaused('main', false, T0, 'cli');
    main = channels.get('main')!;
    expect(main).toMatchObject({ paused: false, categories: null, digest: null, pacing: { maxPerHour: 20 } });
    expect(channels.list()).toHaveLength(1);
  });

  it('removes an added channel with its digest history, and bumps the revision with every write', () => {
    const { db, channels } = setup();
    expect(channels.revision()).toBe(0);
    channels.add({ name: 'sport', target: SPORT }, T0, 'cli');
    channels.setPaused('sport', true, T0, 'cli');
    expect(channels.revision()).toBe(2);
    db.prepare(`INSERT INTO digests (channel, slot, article_id, stories, since, created_at) VALUES ('sport', 1, NULL, 0, 0, 1), ('main', 1, NULL, 0, 0, 1)`).run();
    expect(channels.remove('sport', T0)).toBe(true);
    expect(db.prepare('SELECT channel FROM digests').pluck().all()).toEqual(['main']);
    expect(channels.remove('sport', T0)).toBe(false);
    expect(channels.revision()).toBe(3);
    expect(channels.list().map((c) => c.name)).toEqual(['main']);
  });

  it('shows another connection\'s add at the next read (the bot sees the CLI\'s channel)', () => {
    const bot = setup();
    const cli = setup(bot.file);
    const before = bot.channels.revision();
    cli.channels.add({ name: 'sport', target: SPORT }, T0, 'cli');
    expect(bot.channels.revision()).toBeGreaterThan(before);
    expect(bot.channels.list().map((c) => c.name)).toEqual(['main', 'sport']);
  });
});
