import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/**
 * Each setting's reading, one by one: the accepted forms, the edges of each pattern, the exact
 * message of each refusal, and the cross-checks between settings (found by mutation testing: the
 * older tests let a dropped anchor, a dropped trim or a widened pattern through).
 */
const SECRET = 'b1946ac92492d2347c6235b4d2611184';
const dry = (env: NodeJS.ProcessEnv) => loadConfig(env, { needsChannel: false });

function errorOf(env: NodeJS.ProcessEnv, needsChannel = false): ConfigError {
  try {
    loadConfig(env, { needsChannel });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
const problemsOf = (env: NodeJS.ProcessEnv, needsChannel = false) => errorOf(env, needsChannel).problems;
/** The one problem `env` has, as "VARIABLE: message". */
function onlyProblem(env: NodeJS.ProcessEnv): string {
  const problems = problemsOf(env);
  expect(problems).toHaveLength(1);
  return `${problems[0]!.variable}: ${problems[0]!.message}`;
}

describe('ConfigError', () => {
  it('names its class and counts its problems in words, one per line', () => {
    const one = errorOf({ NEWSDESK_LOG_LEVEL: 'loud' });
    expect(one.name).toBe('ConfigError');
    expect(one.message).toBe(
      'Invalid configuration (1 problem):\n  - NEWSDESK_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    const two = errorOf({ NEWSDESK_LOG_LEVEL: 'loud', NEWSDESK_QUIET_HOURS_BREAKING: 'maybe' });
    expect(two.message).toBe(
      'Invalid configuration (2 problems):\n' +
        '  - NEWSDESK_QUIET_HOURS_BREAKING: must be "allow" or "hold" (got "maybe")\n' +
        '  - NEWSDESK_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
  });
});

describe('the channel', () => {
  it('is required by default (a dry run says otherwise), also when only spaces are given', () => {
    expect(() => loadConfig({})).toThrow(/NEWSDESK_CHANNEL: is required to post to WhatsApp/);
    expect(problemsOf({ NEWSDESK_CHANNEL: '   ' }, true)).toEqual([expect.objectContaining({ variable: 'NEWSDESK_CHANNEL', message: expect.stringContaining('is required') })]);
  });

  it.each([
    'x120363012345678901@newsletter',
    '120363012345678901@newsletter.example',
    'https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12?ref=x',
    'see https://whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12',
  ])('refuses %s: an id or invite link, whole', (channel) => {
    expect(onlyProblem({ NEWSDESK_CHANNEL: channel })).toMatch(/^NEWSDESK_CHANNEL: must be a channel id like/);
  });

  it('reads a short name with spaces around it, and refuses a name with more after it or past 32 characters', () => {
    expect(dry({ NEWSDESK_CHANNEL_NAME: ' sport ' }).channelName).toBe('sport');
    expect(dry({ NEWSDESK_CHANNEL_NAME: 'a'.repeat(32) }).channelName).toBe('a'.repeat(32));
    for (const name of ['sport news', 'sport!', 'a'.repeat(33)]) {
      expect(onlyProblem({ NEWSDESK_CHANNEL_NAME: name })).toMatch(/^NEWSDESK_CHANNEL_NAME: must be a short name/);
    }
  });
});

describe('plain settings', () => {
  it('trims the data folder and refuses a blank one', () => {
    expect(dry({ NEWSDESK_DATA_DIR: ' /tmp/newsdesk-x ' })).toMatchObject({ dataDir: '/tmp/newsdesk-x', databasePath: '/tmp/newsdesk-x/newsdesk.db' });
    expect(dry({ NEWSDESK_DATA_DIR: 'data2' }).dataDir).toBe(path.resolve('data2'));
    expect(problemsOf({ NEWSDESK_DATA_DIR: '  ' }).map((p) => p.variable)).toEqual(['NEWSDESK_DATA_DIR']);
  });

  it('reads a time zone (also with spaces around it) and names a wrong one', () => {
    expect(dry({ NEWSDESK_TIMEZONE: 'Asia/Kuala_Lumpur' }).timezone).toBe('Asia/Kuala_Lumpur');
    expect(dry({ NEWSDESK_TIMEZONE: ' Europe/Berlin ' }).timezone).toBe('Europe/Berlin');
    expect(onlyProblem({ NEWSDESK_TIMEZONE: 'Mars/Olympus' })).toBe(
      'NEWSDESK_TIMEZONE: must be an IANA time zone such as Europe/Berlin, Asia/Kuala_Lumpur or UTC (got "Mars/Olympus")',
    );
  });

  it('reads whole numbers written with spaces around them', () => {
    expect(dry({ NEWSDESK_MIN_GAP_SECONDS: ' 30 ' }).minGapMs).toBe(30_000);
  });

  it('reads both values of NEWSDESK_QUIET_HOURS_BREAKING', () => {
    expect(dry({ NEWSDESK_QUIET_HOURS_BREAKING: 'allow' }).breakingInQuietHours).toBe(true);
    expect(dry({ NEWSDESK_QUIET_HOURS_BREAKING: 'hold' }).breakingInQuietHours).toBe(false);
  });

  it('reads the breaking label (default, trimmed) and says its limit', () => {
    expect(dry({}).breakingLabel).toBe('🔴 BREAKING');
    expect(dry({ NEWSDESK_BREAKING_LABEL: '  EILMELDUNG  ' }).breakingLabel).toBe('EILMELDUNG');
    expect(onlyProblem({ NEWSDESK_BREAKING_LABEL: 'x'.repeat(41) })).toBe(`NEWSDESK_BREAKING_LABEL: must be at most 40 characters (got "${'x'.repeat(41)}")`);
  });

  it('reads the Chromium path: its own setting, else PUPPETEER_EXECUTABLE_PATH, else /usr/bin/chromium; blank is unset', () => {
    expect(dry({ NEWSDESK_CHROMIUM_PATH: '/opt/chrome', PUPPETEER_EXECUTABLE_PATH: '/opt/puppeteer' }).chromiumPath).toBe('/opt/chrome');
    expect(dry({ PUPPETEER_EXECUTABLE_PATH: '/opt/puppeteer' }).chromiumPath).toBe('/opt/puppeteer');
    expect(dry({ NEWSDESK_CHROMIUM_PATH: '   ' }).chromiumPath).toBe('/usr/bin/chromium');
  });

  it('reads the HTTP host: default 127.0.0.1, trimmed', () => {
    expect(dry({}).httpHost).toBe('127.0.0.1');
    expect(dry({ NEWSDESK_HTTP_HOST: ' 0.0.0.0 ' }).httpHost).toBe('0.0.0.0');
  });

  it('reads every log level and lists them when one is wrong', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) expect(dry({ NEWSDESK_LOG_LEVEL: level }).logLevel).toBe(level);
    expect(onlyProblem({ NEWSDESK_LOG_LEVEL: 'verbose' })).toBe('NEWSDESK_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")');
  });
});

describe('phone numbers', () => {
  it('admins: 8 and 15 digits are accepted, 7 and 16 are not, and the message says the international form', () => {
    expect(dry({ NEWSDESK_ADMINS: '+12345678, +123456789012345' }).admins).toEqual(['12345678', '123456789012345']);
    expect(onlyProblem({ NEWSDESK_ADMINS: '+1234567' })).toBe(
      'NEWSDESK_ADMINS: "+1234567" is too short (7 digits; with the country code a number has 8 to 15): write it in international form: + then the country code and the number, e.g. +60123456789 (got "+1234567")',
    );
    expect(onlyProblem({ NEWSDESK_ADMINS: '+1234567890123456' })).toMatch(/too long \(16 digits.*write it in international form: \+ then the country code/);
  });

  it('pairing number: only 8 to 15 digits, nothing before or after', () => {
    expect(dry({ NEWSDESK_PAIRING_NUMBER: '+12345678' }).pairingNumber).toBe('12345678');
    for (const bad of ['x60123456789', '60123456789x', '1234567890123456']) {
      expect(onlyProblem({ NEWSDESK_PAIRING_NUMBER: bad })).toBe(`NEWSDESK_PAIRING_NUMBER: must be the phone number in international form, e.g. +60123456789 (got "${bad}")`);
    }
  });
});

describe('the daily browser restart', () => {
  it.each([
    ['4:05', '5 4 * * *'],
    ['23:59', '59 23 * * *'],
    [' 00:00 ', '0 0 * * *'],
  ])('reads %j as the cron %j', (at, cron) => {
    expect(dry({ NEWSDESK_BROWSER_RESTART_AT: at }).browserRestartCron).toBe(cron);
  });

  it.each(['x04:30', '04:30x', '24:00', '04:60'])('refuses %j with an example', (at) => {
    expect(onlyProblem({ NEWSDESK_BROWSER_RESTART_AT: at })).toBe(`NEWSDESK_BROWSER_RESTART_AT: must be a local time like 04:30 (got "${at}")`);
  });
});

describe('a pinned WhatsApp Web build', () => {
  it('takes a version and a folder together', () => {
    expect(dry({ NEWSDESK_WA_WEB_VERSION: '2.3000.1017054665', NEWSDESK_WA_WEB_CACHE_DIR: 'wa-cache' }).waWeb).toEqual({
      version: '2.3000.1017054665',
      cacheDir: path.resolve('wa-cache'),
    });
    expect(dry({ NEWSDESK_WA_WEB_VERSION: 'x', NEWSDESK_WA_WEB_CACHE_DIR: '/c' }).waWeb).toEqual({ version: 'x', cacheDir: '/c' });
    expect(dry({}).waWeb).toBeUndefined();
  });

  it('names the missing half when only one is set (blank counts as unset)', () => {
    expect(problemsOf({ NEWSDESK_WA_WEB_VERSION: '2.3000.1017054665', NEWSDESK_WA_WEB_CACHE_DIR: ' ' })).toEqual([
      {
        variable: 'NEWSDESK_WA_WEB_CACHE_DIR',
        message:
          'must be set together with NEWSDESK_WA_WEB_VERSION (a pinned WhatsApp Web build is loaded from NEWSDESK_WA_WEB_CACHE_DIR/<NEWSDESK_WA_WEB_VERSION>.html); set both, or neither for the live page',
      },
    ]);
    expect(problemsOf({ NEWSDESK_WA_WEB_CACHE_DIR: '/cache', NEWSDESK_WA_WEB_VERSION: '' })).toEqual([
      { variable: 'NEWSDESK_WA_WEB_VERSION', message: expect.stringMatching(/^must be set together with NEWSDESK_WA_WEB_CACHE_DIR /) },
    ]);
  });

  it.each(['-2.3000', '2.3000!', '2.3000 beta', '.2'])('refuses the version %j', (version) => {
    expect(onlyProblem({ NEWSDESK_WA_WEB_VERSION: version, NEWSDESK_WA_WEB_CACHE_DIR: '/cache' })).toBe(
      `NEWSDESK_WA_WEB_VERSION: must be a WhatsApp Web version like 2.3000.1017054665 (letters, digits, dots, dashes) (got "${version}")`,
    );
  });
});

describe('feed and webhook URLs', () => {
  it('a bad feed URL is named (its first 80 characters) with the reason', () => {
    const long = `ftp://feeds.example.com/${'x'.repeat(100)}`;
    const message = onlyProblem({ NEWSDESK_FEEDS: `https://a.example/rss, ${long}` });
    expect(message).toMatch(new RegExp(`^NEWSDESK_FEEDS: "${long.slice(0, 80)}": \\S`));
  });

  it('a bad webhook URL is named by its first 80 characters', () => {
    const long = `ftp://hooks.example.com/${'y'.repeat(100)}`;
    const message = onlyProblem({ NEWSDESK_WEBHOOKS: long, NEWSDESK_WEBHOOK_SECRET: SECRET });
    expect(message).toBe(`NEWSDESK_WEBHOOKS: "${long.slice(0, 80)}" must start with http:// or https:// (got ftp:) (got "${long}")`);
  });

  it('refuses a user name alone, as well as a password', () => {
    expect(onlyProblem({ NEWSDESK_WEBHOOKS: 'https://user@cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: SECRET })).toMatch(/must not carry a user name or password/);
  });

  it.each([
    'http://[febf::1]/hook',
    'http://[::ffff:169.254.169.254]/latest',
    'http://169.254.0.1/',
  ])('refuses the link-local address %s', (url) => {
    expect(onlyProblem({ NEWSDESK_WEBHOOKS: url, NEWSDESK_WEBHOOK_SECRET: SECRET })).toMatch(/link-local or cloud metadata address/);
  });

  it.each([
    // Names and addresses that only contain a link-local pattern somewhere inside.
    'http://cdn169.254.example.com/hook',
    'http://[2001:db8::fe80:1]/hook',
    'http://[1::ffff:a9fe:101]/hook',
    // 0fe8:: (written fe8::) is not in fe80::/10.
    'http://[fe8::1]/hook',
  ])('accepts %s, which is not link-local', (url) => {
    expect(dry({ NEWSDESK_WEBHOOKS: url, NEWSDESK_WEBHOOK_SECRET: SECRET }).webhooks).toEqual([url]);
  });

  it('blank webhooks need no secret; webhooks with a blank secret do', () => {
    expect(dry({ NEWSDESK_WEBHOOKS: '  ' }).webhooks).toEqual([]);
    expect(problemsOf({ NEWSDESK_WEBHOOKS: 'https://cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: '  ' })).toEqual([
      { variable: 'NEWSDESK_WEBHOOK_SECRET', message: expect.stringMatching(/^is required with NEWSDESK_WEBHOOKS/) },
    ]);
  });
});

describe('secrets', () => {
  it('says what is wrong with a token, and shows only its length', () => {
    expect(problemsOf({ NEWSDESK_API_TOKEN: 'short-secret-x' })).toContainEqual({
      variable: 'NEWSDESK_API_TOKEN',
      message: 'must be at least 16 characters: use a random one, e.g. the output of "openssl rand -hex 32" (got 14 characters, not shown)',
    });
    expect(problemsOf({ NEWSDESK_API_TOKEN: 'a9f3 c1e7 b5d2 0864 ff1a' })).toContainEqual({
      variable: 'NEWSDESK_API_TOKEN',
      message: 'must be printable ASCII without spaces: use a random one, e.g. the output of "openssl rand -hex 32" (got 24 characters, not shown)',
    });
  });
});

describe('unknown NEWSDESK_ variables', () => {
  const messageFor = (name: string) => problemsOf({ [name]: '1' }).find((p) => p.variable === name)?.message;

  it('leaves every other variable alone, and the ones the test and bench tools read', () => {
    expect(() => dry({ PATH: '/usr/bin', HOME: '/root', NEWSDESK_KEEP_SCREENSHOTS: '1', NEWSDESK_TEST_SKIP_BUILD: '1' })).not.toThrow();
  });

  it('suggests the setting a name runs on from', () => {
    expect(messageFor('NEWSDESK_ADMINS_LIST')).toBe('is not a Newsdesk setting: did you mean NEWSDESK_ADMINS? The settings are listed in the README\'s configuration table');
  });

  it('suggests the nearest setting a few typos away, up to four', () => {
    // NEWSDESK_HTTP_HOST is 3 away and comes first; NEWSDESK_HTTP_PORT is 1 away.
    expect(messageFor('NEWSDESK_HTTP_PORX')).toContain('did you mean NEWSDESK_HTTP_PORT?');
    expect(messageFor('NEWSDESK_TIMEXXXX')).toContain('did you mean NEWSDESK_TIMEZONE?');
    expect(messageFor('NEWSDESK_XYZZY_PLUGH_FROB')).toBe("is not a Newsdesk setting: The settings are listed in the README's configuration table");
  });
});
