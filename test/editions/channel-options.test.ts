import { describe, expect, it } from 'vitest';
import {
  CHANNEL_OPTION_KEYS,
  channelNameProblem,
  channelTargetOf,
  clockTimeOf,
  optionKey,
  readChannelOptions,
  splitOptionWords,
} from '../../src/editions/channel-options.js';

const read = (values: Parameters<typeof readChannelOptions>[0]) => readChannelOptions(values);
const options = (values: Parameters<typeof readChannelOptions>[0]) => {
  const r = read(values);
  expect(r.problems).toEqual([]);
  return r.options;
};
const problems = (values: Parameters<typeof readChannelOptions>[0]) => read(values).problems;

describe('clock times and option keys', () => {
  it('reads a time of day, with or without the leading zero, and nothing else', () => {
    expect(clockTimeOf(' 8:05 ')).toBe('08:05');
    expect(clockTimeOf('00:00')).toBe('00:00');
    expect(clockTimeOf('19:59')).toBe('19:59');
    expect(clockTimeOf('23:59')).toBe('23:59');
    for (const bad of ['24:00', '8:60', '8', '08:5', 'x08:00', '08:00x', '123:00', '', '8:000']) expect([bad, clockTimeOf(bad)]).toEqual([bad, null]);
  });

  it('knows the keys in any case, and their aliases', () => {
    expect(CHANNEL_OPTION_KEYS).toEqual(['categories', 'feeds', 'gap', 'cap', 'quiet', 'digest', 'top', 'mode']);
    for (const key of CHANNEL_OPTION_KEYS) expect(optionKey(key.toUpperCase())).toBe(key);
    expect([optionKey('Category'), optionKey('feed'), optionKey('per-hour'), optionKey('quiet-hours')]).toEqual(['categories', 'feeds', 'cap', 'quiet']);
    // Names an object has of its own (constructor, __proto__) are no option either.
    for (const key of ['colour', 'toString', 'constructor', '__proto__', 'hasOwnProperty', '']) expect([key, optionKey(key)]).toEqual([key, null]);
  });
});

describe('readChannelOptions', () => {
  it('an empty set of values changes nothing', () => {
    expect(read({})).toEqual({ options: {}, problems: [] });
  });

  it('categories: a list without repeats, underscores as spaces; off, none, any, all or nothing clear the filter', () => {
    expect(options({ categories: ' World_Cup , Sport,,Sport , ' })).toEqual({ categories: ['World Cup', 'Sport'] });
    for (const off of ['off', 'NONE', ' any ', 'All', '', '  ']) expect(options({ categories: off })).toEqual({ categories: null });
    expect(options({ categories: 'c'.repeat(60) })).toEqual({ categories: ['c'.repeat(60)] });
    expect(problems({ categories: `ok,${'c'.repeat(61)}` })).toEqual([`categories=: "${'c'.repeat(30)}…" is longer than 60 characters`]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    expect(options({ categories: many(30) }).categories).toHaveLength(30);
    expect(problems({ categories: many(31) })).toEqual(['categories=: at most 30 categories']);
  });

  it('feeds: ids with or without #, without repeats; anything else is named', () => {
    expect(options({ feeds: ' #3, 12,3 ,, 123456789' })).toEqual({ feeds: [3, 12, 123456789] });
    for (const off of ['off', 'All', '', ' ']) expect(options({ feeds: off })).toEqual({ feeds: null });
    for (const bad of ['1234567890', 'x1', '1x', '##1', '1.5', '-1']) {
      expect(problems({ feeds: `1,${bad}` })).toEqual([`feeds=: "${bad}" is not a feed id; write the ids from "feeds", e.g. feeds=1,2`]);
    }
    expect(problems({ feeds: `${'9'.repeat(25)}` })).toEqual([`feeds=: "${'9'.repeat(20)}" is not a feed id; write the ids from "feeds", e.g. feeds=1,2`]);
  });

  it('gap: seconds, minutes or hours up to a day; default returns to the global gap', () => {
    expect(options({ gap: '90' })).toEqual({ minGapSeconds: 90 });
    expect(options({ gap: ' 90S ' })).toEqual({ minGapSeconds: 90 });
    expect(options({ gap: '5m' })).toEqual({ minGapSeconds: 300 });
    expect(options({ gap: '5min' })).toEqual({ minGapSeconds: 300 });
    expect(options({ gap: '24h' })).toEqual({ minGapSeconds: 86_400 });
    expect(options({ gap: '0' })).toEqual({ minGapSeconds: 0 });
    expect(options({ gap: 'Default' })).toEqual({ minGapSeconds: null });
    expect(problems({ gap: '86401' })).toEqual(['gap=: at most 24 hours (got 86401 seconds)']);
    expect(problems({ gap: '1441m' })).toEqual(['gap=: at most 24 hours (got 86460 seconds)']);
    for (const bad of ['soon', '5d', 'm', '1234567', 'x5m', '5mx', '']) {
      expect(problems({ gap: bad })).toEqual([
        `gap=: "${bad}" is not a time between posts; write seconds or minutes, e.g. gap=90, gap=90s or gap=5m (gap=default for NEWSDESK_MIN_GAP_SECONDS)`,
      ]);
    }
    expect(problems({ gap: 'a'.repeat(30) })[0]).toMatch(new RegExp(`^gap=: "${'a'.repeat(20)}" is not`));
  });

  it('cap: posts per hour up to 3600, with or without /h; default returns to the global cap', () => {
    for (const [text, n] of [['10', 10], ['10/h', 10], ['10/HOUR', 10], [' 10/hr ', 10], ['0', 0], ['3600', 3600]] as const) {
      expect(options({ cap: text })).toEqual({ maxPerHour: n });
    }
    expect(options({ cap: 'DEFAULT' })).toEqual({ maxPerHour: null });
    expect(problems({ cap: '3601' })).toEqual(['cap=: at most 3600 posts per hour']);
    for (const bad of ['lots', '123456', '10/day', 'x10', '10/hx', '/h', '']) {
      expect(problems({ cap: bad })).toEqual([
        `cap=: "${bad}" is not an hourly cap; write posts per hour, e.g. cap=10/h (cap=0 for none, cap=default for NEWSDESK_MAX_POSTS_PER_HOUR)`,
      ]);
    }
    expect(problems({ cap: 'b'.repeat(30) })[0]).toMatch(new RegExp(`^cap=: "${'b'.repeat(20)}" is not`));
  });

  it('quiet: a span of local times; off or nothing for none; default returns to the global quiet hours', () => {
    expect(options({ quiet: '23:00-7:00' })).toEqual({ quietHours: '23:00-07:00' });
    expect(options({ quiet: ' 1:30 - 6:15 ' })).toEqual({ quietHours: '01:30-06:15' });
    expect(options({ quiet: 'Default' })).toEqual({ quietHours: null });
    for (const off of ['off', 'None', '', '  ']) expect(options({ quiet: off })).toEqual({ quietHours: '' });
    expect(problems({ quiet: '8:00-08:00' })).toEqual(['quiet=: start and end are the same; write quiet=off for no quiet hours']);
    for (const bad of ['late', '23:00', '23:00-', '-07:00', 'x 23:00-07:00', '23:00-07:00 x', '23:00-25:00', '25:00-07:00', '23:00 07:00', '23:00-07:00-08:00']) {
      expect([bad, problems({ quiet: bad })]).toEqual([
        bad,
        [`quiet=: "${bad}" is not a span of local time; write start-end, e.g. quiet=23:00-07:00 (quiet=off for none, quiet=default for NEWSDESK_QUIET_HOURS)`],
      ]);
    }
    expect(problems({ quiet: 'q'.repeat(30) })[0]).toMatch(new RegExp(`^quiet=: "${'q'.repeat(20)}" is not`));
  });

  it('digest: local times sorted without repeats, at most 24; off or nothing turns it off', () => {
    expect(options({ digest: '18:00, 8:00,,08:00 ' })).toEqual({ digest: { times: ['08:00', '18:00'] } });
    for (const off of ['off', 'NONE', '', ' ']) expect(options({ digest: off })).toEqual({ digest: { times: null } });
    const hours = (n: number) => Array.from({ length: n }, (_, i) => `${i % 24}:${i < 24 ? '00' : '30'}`).join(',');
    expect(options({ digest: hours(24) }).digest!.times).toHaveLength(24);
    expect(problems({ digest: hours(25) })).toEqual(['digest=: at most 24 times a day']);
    expect(problems({ digest: '8:00, noon ,25:00' })).toEqual([
      'digest=: "noon" is not a time of day; write local times, e.g. digest=08:00,18:00 (digest=off for none)',
    ]);
    expect(problems({ digest: `8:00,${'n'.repeat(30)}` })[0]).toMatch(new RegExp(`^digest=: "${'n'.repeat(20)}" is not`));
  });

  it('top: 1 to 50 stories; mode: besides or instead; both belong to the digest change', () => {
    expect(options({ top: ' 1 ' })).toEqual({ digest: { top: 1 } });
    expect(options({ top: '50' })).toEqual({ digest: { top: 50 } });
    for (const bad of ['0', '51', '1000', 'x', '5x', 'x5', '']) {
      expect(problems({ top: bad })).toEqual([`top=: "${bad}" is not a number of stories from 1 to 50, e.g. top=5`]);
    }
    expect(problems({ top: '9'.repeat(30) })[0]).toMatch(new RegExp(`^top=: "${'9'.repeat(20)}" is not`));
    expect(options({ mode: ' Instead ' })).toEqual({ digest: { mode: 'instead' } });
    expect(options({ mode: 'besides' })).toEqual({ digest: { mode: 'besides' } });
    expect(problems({ mode: 'Often' })).toEqual(['mode=: "often" is not a digest mode; write mode=besides (single posts too) or mode=instead (the digest only)']);
    expect(problems({ mode: 'o'.repeat(30) })[0]).toMatch(new RegExp(`^mode=: "${'o'.repeat(20)}" is not`));
    expect(options({ digest: '8:00', top: '3', mode: 'instead' })).toEqual({ digest: { times: ['08:00'], top: 3, mode: 'instead' } });
  });

  it('reports every problem at once and keeps only what could be read', () => {
    expect(read({ categories: 'Sport', gap: 'soon', cap: '5', top: '0' })).toEqual({
      options: { categories: ['Sport'], maxPerHour: 5 },
      problems: [expect.stringMatching(/^gap=/), expect.stringMatching(/^top=/)],
    });
  });
});

describe('splitOptionWords', () => {
  it('splits key=value words by key (aliases and case too); a value may hold "="', () => {
    expect(splitOptionWords(['Gap=5m', 'per-hour=10', 'categories=a=b', 'quiet='])).toEqual({
      values: { gap: '5m', cap: '10', categories: 'a=b', quiet: '' },
      flags: new Set(),
      problems: [],
    });
  });

  it('takes the allowed flags in any case, and names unknown keys, bare words and repeats', () => {
    expect(splitOptionWords(['FORCE', 'gap=1', 'cap=2', 'cap=3', 'colour=red', 'sport', 'gaps', '=5', `${'k'.repeat(40)}=1`], ['force'])).toEqual({
      values: { gap: '1', cap: '3' },
      flags: new Set(['force']),
      problems: [
        'cap= is given twice',
        '"colour=red" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
        '"sport" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
        '"gaps" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
        '"=5" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
        `"${'k'.repeat(30)}" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…`,
      ],
    });
    expect(splitOptionWords(['force']).problems).toHaveLength(1); // not a flag unless allowed
    expect(splitOptionWords(['constructor=1', '__proto__=2']).problems).toEqual([
      '"constructor=1" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
      '"__proto__=2" is not an option: use categories=… feeds=… gap=… cap=… quiet=… digest=… top=… mode=…',
    ]);
  });
});

describe('channel targets and names', () => {
  it('takes a newsletter id or a whole invite link (http, www and a trailing slash folded)', () => {
    expect(channelTargetOf(' 120363012345678901@newsletter ')).toEqual({ target: '120363012345678901@newsletter' });
    expect(channelTargetOf('123456@newsletter')).toEqual({ target: '123456@newsletter' });
    expect(channelTargetOf('HTTP://www.whatsapp.com/channel/0029VaXX_x-Y/')).toEqual({ target: 'https://whatsapp.com/channel/0029VaXX_x-Y' });
    expect(channelTargetOf('https://whatsapp.com/channel/0029VaXXXX')).toEqual({ target: 'https://whatsapp.com/channel/0029VaXXXX' });
  });

  it('says what is wrong with anything else', () => {
    const notChannel = (v: string) => ({
      problem: `"${v}" is not a channel: give its id (digits then @newsletter, e.g. 120363012345678901@newsletter) or its invite link (https://whatsapp.com/channel/…)`,
    });
    for (const bad of ['12345@newsletter', 'x123456@newsletter', '123456@newsletter.com', 'sport']) expect(channelTargetOf(bad)).toEqual(notChannel(bad));
    const partial = (v: string) => ({
      problem: `"${v}" is not a whole channel invite link: copy it from the channel's Share link, e.g. https://whatsapp.com/channel/0029VaXXXXXXXXXXXXXXXX`,
    });
    for (const bad of ['https://whatsapp.com/channel/abc', 'https://WhatsApp.com/Channel/0029VaXXXX', 'https://whatsapp.com/channel/0029VaXXXX/more', 'ftp://whatsapp.com/channel/0029VaXXXX', 'https://evil.whatsapp.com/channel/0029VaXXXX', 'see https://whatsapp.com/channel/0029VaXXXX']) {
      expect(channelTargetOf(bad)).toEqual(partial(bad));
    }
    const long = `https://whatsapp.com/channel/${'!'.repeat(80)}`;
    expect(channelTargetOf(long)).toEqual(partial(long.slice(0, 60)));
    expect(channelTargetOf('s'.repeat(80))).toEqual(notChannel('s'.repeat(60)));
  });

  it('a short name is 1 to 32 lower-case letters, digits, - or _, starting with a letter or digit', () => {
    for (const ok of ['sport', 's', '9', 'world-cup_2026', 'a'.repeat(32)]) expect(channelNameProblem(ok)).toBeNull();
    for (const bad of ['Sport', '-sport', '_x', 'a'.repeat(33), '', 'sport!', 'sport news']) {
      expect(channelNameProblem(bad)).toBe(
        `name=: "${bad.slice(0, 40)}" is not a short name; use 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter or digit, e.g. name=sport`,
      );
    }
    expect(channelNameProblem('A'.repeat(50))).toMatch(new RegExp(`^name=: "${'A'.repeat(40)}" is not`));
  });
});
