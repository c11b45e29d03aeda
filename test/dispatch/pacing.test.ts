import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { checkPacing, drawJitter, parseQuietHours, quietHoursEnd, type PacingHistory, type PacingRules } from '../../src/dispatch/pacing.js';
import { createArticleQueue } from '../../src/store/article-queue.js';
import { openDatabase } from '../../src/store/open-database.js';
import { createFakeChannel } from '../fakes/fake-channel.js';
import { createFakeClock, settle } from '../fakes/fake-clock.js';
import { createMemoryLogger } from '../fakes/memory-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const BERLIN = 'Europe/Berlin';
const at = (iso: string, zone = BERLIN) => DateTime.fromISO(iso, { zone }).toMillis();
const rules = (over: Partial<PacingRules> = {}): PacingRules => ({
  minGapMs: 2 * MIN,
  jitterMs: 0,
  maxPerHour: 0,
  quietHours: null,
  breakingInQuietHours: true,
  timezone: BERLIN,
  ...over,
});
const history = (over: Partial<PacingHistory> = {}): PacingHistory => ({ lastAttemptAt: null, jitterAfterLastMs: 0, startsInLastHour: [], ...over });

describe('checkPacing', () => {
  it('waits out the minimum gap plus the jitter drawn for it', () => {
    const t0 = at('2026-06-01T12:00');
    const h = history({ lastAttemptAt: t0, jitterAfterLastMs: 7_000 });
    expect(checkPacing(t0 + 2 * MIN, 'breaking', h, rules())).toEqual({ ok: false, until: t0 + 2 * MIN + 7_000, reason: 'minimum gap between posts' });
    expect(checkPacing(t0 + 2 * MIN + 7_000, 'breaking', h, rules())).toEqual({ ok: true });
  });

  it('draws jitter within its bounds', () => {
    const draws = Array.from({ length: 1000 }, (_, i) => drawJitter(15_000, () => (i % 100) / 100));
    expect(Math.min(...draws)).toBe(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(15_000);
    expect(drawJitter(15_000, () => 0.999999)).toBeLessThanOrEqual(15_000);
    expect(drawJitter(0, () => 0.5)).toBe(0);
  });

  it('caps posts per rolling hour, for breaking ones too', () => {
    const t0 = at('2026-06-01T12:00');
    const starts = [t0, t0 + 10 * MIN, t0 + 20 * MIN];
    const h = history({ lastAttemptAt: starts[2]!, startsInLastHour: starts });
    const capped = checkPacing(t0 + 30 * MIN, 'breaking', h, rules({ maxPerHour: 3 }));
    expect(capped).toEqual({ ok: false, until: t0 + HOUR, reason: 'hourly cap of 3 posts reached' });
    expect(checkPacing(t0 + HOUR, 'normal', h, rules({ maxPerHour: 3 }))).toEqual({ ok: true });
    expect(checkPacing(t0 + 30 * MIN, 'normal', h, rules({ maxPerHour: 4 }))).toEqual({ ok: true });
  });

  it('holds normal articles in quiet hours across midnight and lets breaking ones through', () => {
    const quiet = parseQuietHours('23:00-07:00');
    const r = rules({ quietHours: quiet });
    expect(checkPacing(at('2026-06-01T22:59'), 'normal', history(), r)).toEqual({ ok: true });
    expect(checkPacing(at('2026-06-01T23:00'), 'normal', history(), r)).toEqual({ ok: false, until: at('2026-06-02T07:00'), reason: 'quiet hours' });
    expect(checkPacing(at('2026-06-02T03:00'), 'normal', history(), r)).toEqual({ ok: false, until: at('2026-06-02T07:00'), reason: 'quiet hours' });
    expect(checkPacing(at('2026-06-02T07:00'), 'normal', history(), r)).toEqual({ ok: true });
    expect(checkPacing(at('2026-06-02T03:00'), 'breaking', history(), r)).toEqual({ ok: true });
    expect(checkPacing(at('2026-06-02T03:00'), 'breaking', history(), rules({ quietHours: quiet, breakingInQuietHours: false }))).toMatchObject({ ok: false, reason: 'quiet hours' });
  });

  it('handles quiet hours within one day', () => {
    const r = rules({ quietHours: parseQuietHours('12:30-14:00') });
    expect(checkPacing(at('2026-06-01T13:00'), 'normal', history(), r)).toEqual({ ok: false, until: at('2026-06-01T14:00'), reason: 'quiet hours' });
    expect(checkPacing(at('2026-06-01T14:00'), 'normal', history(), r)).toEqual({ ok: true });
  });

  it('ends quiet hours at the local wall time on a spring-forward night (Berlin, 29 March 2026)', () => {
    const quiet = parseQuietHours('23:00-07:00')!;
    const end = quietHoursEnd(at('2026-03-28T23:30'), quiet, BERLIN)!;
    expect(DateTime.fromMillis(end, { zone: BERLIN }).toFormat('yyyy-MM-dd HH:mm ZZ')).toBe('2026-03-29 07:00 +02:00');
    expect(end - at('2026-03-28T23:30')).toBe(6.5 * HOUR); // the night is an hour shorter
    // An end time inside the skipped hour moves to the first minute that exists.
    const odd = quietHoursEnd(at('2026-03-29T01:00'), parseQuietHours('00:00-02:30')!, BERLIN)!;
    expect(DateTime.fromMillis(odd, { zone: BERLIN }).toFormat('HH:mm ZZ')).toBe('03:30 +02:00');
  });

  it('ends quiet hours at the local wall time on a fall-back night (Berlin, 25 October 2026)', () => {
    const quiet = parseQuietHours('23:00-07:00')!;
    const end = quietHoursEnd(at('2026-10-24T23:30'), quiet, BERLIN)!;
    expect(DateTime.fromMillis(end, { zone: BERLIN }).toFormat('yyyy-MM-dd HH:mm ZZ')).toBe('2026-10-25 07:00 +01:00');
    expect(end - at('2026-10-24T23:30')).toBe(8.5 * HOUR); // the night is an hour longer
  });

  it('rejects malformed quiet hours with the expected form', () => {
    expect(() => parseQuietHours('11pm-7am')).toThrow(/23:00-07:00/);
    expect(() => parseQuietHours('07:00-07:00')).toThrow(/same/);
    expect(parseQuietHours(' ')).toBeNull();
  });
});

describe('dispatcher with pacing (injected clock, no sleeping)', () => {
  function setup(pacing: Partial<PacingRules>, minGapMs = 2 * MIN, start = at('2026-06-01T12:00')) {
    const clock = createFakeClock(start);
    const db = openDatabase(path.join(tempDir(), 'newsdesk.db'));
    const queue = createArticleQueue(db);
    const channel = createFakeChannel(clock);
    const { log } = createMemoryLogger();
    const dispatcher = createDispatcher({
      queue, channel, clock, log, minGapMs, maxAttempts: 3, sendTimeoutMs: 30_000, confirmDelaysMs: [0],
      render: (a) => formatPost(a, { summaryMaxChars: 100, breakingLabel: 'BREAKING' }),
      pacing: { timezone: BERLIN, ...pacing },
      random: () => 0.5,
    });
    let n = 0;
    const enqueue = (priority: 'normal' | 'breaking' = 'breaking') => {
      n += 1;
      queue.enqueue({ headline: `Story ${n}`, url: `https://news.example.com/${n}`, priority }, clock.now());
      dispatcher.wake('enqueue');
    };
    const run = async (ms: number) => {
      await settle();
      await clock.advanceByTimers(ms);
      await dispatcher.idle();
      await settle();
    };
    return { clock, queue, channel, dispatcher, enqueue, run };
  }

  it('spaces 50 articles arriving at once by the gap plus jitter, in order, each once', async () => {
    const t = setup({ jitterMs: 20_000 }, MIN);
    t.dispatcher.start();
    for (let i = 0; i < 50; i += 1) t.enqueue();
    await t.run(49 * 70_000 + 1000);
    const times = t.channel.posted.map((p) => p.at);
    expect(t.channel.posted.map((p) => p.articleId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MIN + 10_000); // random() = 0.5 → 10 s jitter
    expect(Math.max(...gaps)).toBeLessThanOrEqual(MIN + 10_000 + 1000);
  });

  it('stops at the hourly cap and goes on when the oldest post leaves the hour', async () => {
    const t = setup({ maxPerHour: 3 }, 0);
    t.dispatcher.start();
    for (let i = 0; i < 5; i += 1) t.enqueue();
    await t.run(1000);
    expect(t.channel.posted).toHaveLength(3);
    expect(t.dispatcher.status().waiting).toMatchObject({ reason: 'hourly cap of 3 posts reached' });
    await t.run(HOUR);
    expect(t.channel.posted).toHaveLength(5);
  });

  it('holds normal articles through quiet hours but posts breaking ones, and says why it waits', async () => {
    const t = setup({ quietHours: parseQuietHours('23:00-07:00') }, 0, at('2026-06-01T22:59'));
    t.dispatcher.start();
    t.clock.advance(2 * MIN); // 23:01
    t.enqueue('normal');
    t.dispatcher.release(t.clock.now());
    t.enqueue('breaking');
    await t.run(1000);
    expect(t.channel.posted.map((p) => p.articleId)).toEqual([2]);
    expect(t.dispatcher.status().waiting).toEqual({ reason: 'quiet hours', until: at('2026-06-02T07:00'), breakingMayGo: true });
    await t.run(at('2026-06-02T07:00') - t.clock.now() - 1000);
    expect(t.channel.posted).toHaveLength(1);
    await t.run(2000);
    expect(t.channel.posted.map((p) => p.articleId)).toEqual([2, 1]);
  });

  it('posts a scheduled article once on a fall-back night, at the first 02:30', async () => {
    const t = setup({}, 0, at('2026-10-25T00:00'));
    t.dispatcher.start();
    const first = DateTime.fromISO('2026-10-25T02:30+02:00').toMillis();
    t.queue.enqueue({ headline: 'Night news', url: 'https://news.example.com/night', publishAt: first }, t.clock.now());
    await t.run(4 * HOUR);
    expect(t.channel.posted.map((p) => p.at)).toEqual([first]);
  });
});
