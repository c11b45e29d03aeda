import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: NodeJS.ProcessEnv, needsChannel = true) {
  try {
    loadConfig(env, { needsChannel });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives documented defaults for a dry run with an empty environment', () => {
    const config = loadConfig({}, { needsChannel: false });
    expect(config).toMatchObject({
      dataDir: path.resolve('./data'),
      databasePath: path.resolve('./data/newsdesk.db'),
      outboxPath: path.resolve('./data/outbox.jsonl'),
      sessionDir: path.resolve('./data/session'),
      channel: undefined,
      timezone: 'UTC',
      schedule: '* * * * *',
      minGapMs: 120_000,
      summaryMaxChars: 300,
      maxAttempts: 5,
      chromiumPath: '/usr/bin/chromium',
      logLevel: 'info',
    });
  });

  it('accepts a channel id and an invite link', () => {
    expect(loadConfig({ NEWSDESK_CHANNEL: '120363012345678901@newsletter' }).channel).toEqual({
      kind: 'id',
      id: '120363012345678901@newsletter',
    });
    expect(loadConfig({ NEWSDESK_CHANNEL: 'https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12' }).channel).toEqual({
      kind: 'invite',
      code: '0029VaAbCdEfGhIjKlMnOp12',
      link: 'https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12',
    });
  });

  it('requires a channel unless it is a dry run, and says how to fix it', () => {
    const problems = problemsOf({});
    expect(problems).toEqual([expect.objectContaining({ variable: 'NEWSDESK_CHANNEL', message: expect.stringContaining('--dry-run') })]);
  });

  it('lists every problem at once, each with the variable and the value given', () => {
    const problems = problemsOf({
      NEWSDESK_CHANNEL: 'my channel',
      NEWSDESK_TIMEZONE: 'Mars/Olympus',
      NEWSDESK_SCHEDULE: '61 * * * *',
      NEWSDESK_MIN_GAP_SECONDS: 'ten',
      NEWSDESK_SUMMARY_MAX_CHARS: '5',
      NEWSDESK_PAIRING_NUMBER: '12ab',
      NEWSDESK_LOG_LEVEL: 'loud',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        'NEWSDESK_CHANNEL',
        'NEWSDESK_LOG_LEVEL',
        'NEWSDESK_MIN_GAP_SECONDS',
        'NEWSDESK_PAIRING_NUMBER',
        'NEWSDESK_SCHEDULE',
        'NEWSDESK_SUMMARY_MAX_CHARS',
        'NEWSDESK_TIMEZONE',
      ].sort(),
    );
    const byVar = Object.fromEntries(problems.map((p) => [p.variable, p.message]));
    expect(byVar.NEWSDESK_CHANNEL).toContain('@newsletter');
    expect(byVar.NEWSDESK_TIMEZONE).toContain('"Mars/Olympus"');
    expect(byVar.NEWSDESK_SCHEDULE).toMatch(/minute/);
    expect(byVar.NEWSDESK_MIN_GAP_SECONDS).toContain('whole number');
    expect(byVar.NEWSDESK_SUMMARY_MAX_CHARS).toContain('at least 20');
  });

  it('refuses a misspelt NEWSDESK_ variable instead of quietly using the default, and suggests the right name', () => {
    const problems = problemsOf({ NEWSDESK_CHANNEL: '120363012345678901@newsletter', NEWSDESK_ADMIN: '+60123456789', NEWSDESK_MIN_GAP: '30', NEWSDESK_XYZZY_PLUGH_FROB: '1' });
    const byVar = Object.fromEntries(problems.map((p) => [p.variable, p.message]));
    expect(Object.keys(byVar).sort()).toEqual(['NEWSDESK_ADMIN', 'NEWSDESK_MIN_GAP', 'NEWSDESK_XYZZY_PLUGH_FROB']);
    expect(byVar.NEWSDESK_ADMIN).toContain('did you mean NEWSDESK_ADMINS?');
    expect(byVar.NEWSDESK_MIN_GAP).toContain('did you mean NEWSDESK_MIN_GAP_SECONDS?');
    expect(byVar.NEWSDESK_XYZZY_PLUGH_FROB).not.toContain('did you mean');
    expect(() => loadConfig({ NEWSDESK_CHANNEL: '120363012345678901@newsletter', NEWSDESK_LOG_FORMAT: 'json', NEWSDESK_CRASH_SEED: '7' })).not.toThrow();
  });

  it('reads pacing settings: hourly cap, jitter, quiet hours and whether breaking news waits for them', () => {
    expect(loadConfig({}, { needsChannel: false })).toMatchObject({ maxPostsPerHour: 20, jitterMs: 20_000, quietHours: null, breakingInQuietHours: true });
    const config = loadConfig(
      { NEWSDESK_MAX_POSTS_PER_HOUR: '0', NEWSDESK_JITTER_SECONDS: '5', NEWSDESK_QUIET_HOURS: '23:00-07:00', NEWSDESK_QUIET_HOURS_BREAKING: 'hold' },
      { needsChannel: false },
    );
    expect(config).toMatchObject({ maxPostsPerHour: 0, jitterMs: 5_000, quietHours: { startMinute: 23 * 60, endMinute: 7 * 60 }, breakingInQuietHours: false });
    const problems = problemsOf({ NEWSDESK_QUIET_HOURS: '11pm-7am', NEWSDESK_QUIET_HOURS_BREAKING: 'maybe' }, false);
    expect(problems.map((p) => p.variable).sort()).toEqual(['NEWSDESK_QUIET_HOURS', 'NEWSDESK_QUIET_HOURS_BREAKING']);
    expect(problems[0]!.message).toContain('23:00-07:00');
  });

  it('reads admins as digits and names a malformed one', () => {
    expect(loadConfig({ NEWSDESK_ADMINS: '+60 12-345 6789, +6598765432' }, { needsChannel: false }).admins).toEqual(['60123456789', '6598765432']);
    const problems = problemsOf({ NEWSDESK_ADMINS: '+60123456789, editor' }, false);
    expect(problems).toEqual([expect.objectContaining({ variable: 'NEWSDESK_ADMINS', message: expect.stringContaining('"editor" is not an international phone number') })]);
  });

  it('reads the watchdog time and the daily browser restart', () => {
    expect(loadConfig({ NEWSDESK_READY_TIMEOUT_SECONDS: '300', NEWSDESK_BROWSER_RESTART_AT: '04:30' }, { needsChannel: false })).toMatchObject({
      readyTimeoutMs: 300_000,
      browserRestartCron: '30 4 * * *',
    });
    expect(loadConfig({}, { needsChannel: false })).toMatchObject({ readyTimeoutMs: 180_000, browserRestartCron: undefined });
    expect(problemsOf({ NEWSDESK_BROWSER_RESTART_AT: '4am' }, false)).toEqual([expect.objectContaining({ variable: 'NEWSDESK_BROWSER_RESTART_AT' })]);
  });

  it('reads seed feeds and feed defaults, naming a bad URL', () => {
    expect(loadConfig({ NEWSDESK_FEEDS: 'https://a.example/rss, https://b.example/atom.xml', NEWSDESK_FEED_EVERY_MINUTES: '15' }, { needsChannel: false })).toMatchObject({
      feeds: ['https://a.example/rss', 'https://b.example/atom.xml'],
      feedEveryMinutes: 15,
      feedMaxPerPoll: 10,
    });
    const problems = problemsOf({ NEWSDESK_FEEDS: 'https://a.example/rss,ftp://b.example/x' }, false);
    expect(problems).toEqual([expect.objectContaining({ variable: 'NEWSDESK_FEEDS', message: expect.stringContaining('ftp://b.example/x') })]);
  });

  it('normalises a pairing number written with + and spaces', () => {
    expect(loadConfig({ NEWSDESK_PAIRING_NUMBER: '+60 12-345 6789' }, { needsChannel: false }).pairingNumber).toBe('60123456789');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ NEWSDESK_TIMEZONE: '', NEWSDESK_SCHEDULE: ' ', NEWSDESK_CHANNEL: '' }, { needsChannel: false });
    expect(config.timezone).toBe('UTC');
    expect(config.schedule).toBe('* * * * *');
  });
});

describe('bounds of every bounded setting', () => {
  // [variable, lowest accepted, highest accepted, the config field, how the value is stored]
  const bounded: [string, number, number, string, number][] = [
    ['NEWSDESK_MIN_GAP_SECONDS', 0, 86_400, 'minGapMs', 1000],
    ['NEWSDESK_MAX_POSTS_PER_HOUR', 0, 3_600, 'maxPostsPerHour', 1],
    ['NEWSDESK_JITTER_SECONDS', 0, 3_600, 'jitterMs', 1000],
    ['NEWSDESK_SUMMARY_MAX_CHARS', 20, 3_000, 'summaryMaxChars', 1],
    ['NEWSDESK_MAX_ATTEMPTS', 1, 50, 'maxAttempts', 1],
    ['NEWSDESK_SEND_TIMEOUT_SECONDS', 5, 600, 'sendTimeoutMs', 1000],
    ['NEWSDESK_READY_TIMEOUT_SECONDS', 30, 3_600, 'readyTimeoutMs', 1000],
    ['NEWSDESK_FEED_EVERY_MINUTES', 1, 1_440, 'feedEveryMinutes', 1],
    ['NEWSDESK_FEED_MAX_PER_POLL', 1, 10_000, 'feedMaxPerPoll', 1],
    ['NEWSDESK_HTTP_PORT', 0, 65_535, 'httpPort', 1],
  ];

  it.each(bounded)('%s accepts %i and %i, and refuses one step past either end', (variable, min, max, field, scale) => {
    const read = (value: string) => (loadConfig({ [variable]: value }, { needsChannel: false }) as unknown as Record<string, unknown>)[field];
    expect(read(String(min))).toBe(min * scale);
    expect(read(String(max))).toBe(max * scale);
    if (min > 0) expect(problemsOf({ [variable]: String(min - 1) }, false)).toEqual([{ variable, message: `must be at least ${min} (got "${min - 1}")` }]);
    else expect(problemsOf({ [variable]: '-1' }, false)).toEqual([{ variable, message: `must be a whole number from ${min} to ${max} (got "-1")` }]);
    expect(problemsOf({ [variable]: String(max + 1) }, false)).toEqual([{ variable, message: `must be at most ${max} (got "${max + 1}")` }]);
    for (const bad of ['1.5', 'ten', '2e3', '0x10']) expect(problemsOf({ [variable]: bad }, false)).toEqual([expect.objectContaining({ variable })]);
  });

  it('NEWSDESK_MAX_ATTEMPTS=0 is refused: an article must get at least one attempt', () => {
    expect(problemsOf({ NEWSDESK_MAX_ATTEMPTS: '0' }, false)).toEqual([{ variable: 'NEWSDESK_MAX_ATTEMPTS', message: 'must be at least 1 (got "0")' }]);
  });

  it('NEWSDESK_BREAKING_LABEL takes up to 40 characters', () => {
    expect(loadConfig({ NEWSDESK_BREAKING_LABEL: 'x'.repeat(40) }, { needsChannel: false }).breakingLabel).toBe('x'.repeat(40));
    expect(problemsOf({ NEWSDESK_BREAKING_LABEL: 'x'.repeat(41) }, false)).toEqual([expect.objectContaining({ variable: 'NEWSDESK_BREAKING_LABEL' })]);
  });
});
