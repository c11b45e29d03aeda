import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import type { Channel, ChannelInfo } from '../../src/channel/channel.js';
import { createStatusHolder } from '../../src/channel/status-holder.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { createMetrics } from '../../src/http/metrics.js';
import { settle } from '../fakes/fake-clock.js';
import { AUTH, article, httpSetup } from './http-setup.js';

/** A channel whose state and detail a test sets by hand. */
function manualChannel(now: () => number) {
  const status = createStatusHolder({ now, setTimer: () => () => undefined }, { state: 'starting', detail: 'starting Chromium and loading WhatsApp Web' });
  let info: ChannelInfo | null = null;
  const channel: Channel & { set: typeof status.set; setInfo(i: ChannelInfo | null): void } = {
    name: 'manual',
    start: async () => undefined,
    status: status.get,
    onStatus: status.subscribe,
    info: () => info,
    send: async () => 'x',
    findPost: async () => null,
    stop: async () => undefined,
    set: status.set,
    setInfo: (i) => (info = i),
  };
  return channel;
}

/** The value of one series in Prometheus text output, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /healthz', () => {
  it('200 while the database answers, 503 saying what to check once it does not; no token needed', async () => {
    const t = await httpSetup();
    const ok = await t.request('/healthz');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', database: 'ok' });
    t.db.close();
    const down = await t.request('/healthz');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unhealthy', database: 'error', error: expect.stringMatching(/database does not answer .*check the data volume/) });
  });
});

describe('GET /readyz', () => {
  it('never shows the pairing code or a QR code while a login waits (no token needed there)', async () => {
    const s = await httpSetup();
    let prompt: { kind: 'qr' | 'code'; value: string; since: number } | null = { kind: 'code', value: 'WXYZ-7K3Q', since: s.clock.now() };
    const channel = Object.assign(manualChannel(s.clock.now), { loginPrompt: () => prompt });
    const t = await httpSetup({ channel });
    channel.set({ state: 'waiting-for-login', detail: 'enter the pairing code WXYZ-7K3Q (WhatsApp → Linked devices → Link with phone number instead)' });
    const codeWait = await t.request('/readyz');
    expect(codeWait.status).toBe(503);
    expect(codeWait.body.reason).toMatch(/waits for a login/);
    expect(codeWait.text).not.toContain('WXYZ');

    prompt = { kind: 'qr', value: '2@QRSECRETVALUE,abc', since: s.clock.now() };
    channel.set({ state: 'waiting-for-login', detail: 'session lost: scan the QR code again' });
    // A prompt value in any other state's detail is cut out too.
    channel.set({ state: 'disconnected', detail: 'reconnecting (last prompt 2@QRSECRETVALUE,abc)' });
    for (const path of ['/readyz', '/healthz', '/metrics']) {
      const res = await t.request(path);
      expect(res.text).not.toContain('QRSECRETVALUE');
      expect(res.text).not.toMatch(/data:image|WXYZ/);
    }
  });

  it('503 with the channel detail until WhatsApp is ready and the channel resolved, then 200', async () => {
    const s = await httpSetup();
    const channel = manualChannel(s.clock.now);
    const t = await httpSetup({ channel });
    const starting = await t.request('/readyz');
    expect(starting.status).toBe(503);
    expect(starting.body).toMatchObject({ ready: false, state: 'starting', reason: 'starting Chromium and loading WhatsApp Web' });

    channel.set({ state: 'waiting-for-login', detail: 'scan the QR code printed in the terminal' });
    const waiting = await t.request('/readyz');
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ state: 'waiting-for-login', reason: expect.stringMatching(/^WhatsApp waits for a login: open \/login/) });

    channel.set({ state: 'ready' });
    const unresolved = await t.request('/readyz');
    expect(unresolved.status).toBe(503);
    expect(unresolved.body.reason).toBe('connected, but the channel is not resolved yet');

    channel.setInfo({ id: '120363012345678901@newsletter', name: 'Daily Bulletin', inviteLink: null });
    const ready = await t.request('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, state: 'ready', channel: { name: 'Daily Bulletin' } });

    channel.set({ state: 'logged-out' });
    expect((await t.request('/readyz')).body.reason).toMatch(/logged out from the phone/);
  });
});

describe('GET /metrics', () => {
  it('serves the newsdesk metrics and the default process metrics without a token', async () => {
    const t = await httpSetup();
    const res = await t.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'newsdesk_articles',
      'newsdesk_posts_total',
      'newsdesk_enqueue_to_post_seconds',
      'newsdesk_whatsapp_state',
      'newsdesk_feed_poll_errors_total',
      'newsdesk_last_post_timestamp_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(res.text).toContain(`# TYPE ${name} `);
    }
    expect(sample(res.text, 'newsdesk_posts_total{outcome="posted"}')).toBe(0);
    expect(sample(res.text, 'newsdesk_posts_total{outcome="failed"}')).toBe(0);
    expect(sample(res.text, 'newsdesk_whatsapp_state{state="ready"}')).toBe(1);
    expect(sample(res.text, 'newsdesk_whatsapp_state{state="waiting-for-login"}')).toBe(0);
    expect(sample(res.text, 'newsdesk_last_post_timestamp_seconds')).toBe(0);
  });

  it('changes after a post made by a real dispatcher fed by the API: counts, outcome, latency, last post, state', async () => {
    const t = await httpSetup();
    const dispatcher = createDispatcher({
      queue: t.ctx.queue,
      channel: t.fake,
      clock: t.clock,
      log: t.log,
      render: (a) => formatPost(a, t.ctx.format),
      minGapMs: 0,
      maxAttempts: 1,
      sendTimeoutMs: 30_000,
      confirmDelaysMs: [0],
      events: t.metrics.events, // what app.ts fans in next to the receipts
    });
    dispatcher.start();
    t.clock.advance(1_000); // after the dispatcher's last release: the normal article waits for the schedule
    try {
      expect((await t.post(article(1, { priority: 'breaking' }))).status).toBe(201);
      expect((await t.post(article(2))).status).toBe(201);
      const before = (await t.request('/metrics')).text;
      expect(sample(before, 'newsdesk_articles{status="queued"}')).toBe(2);
      expect(sample(before, 'newsdesk_articles{status="posted"}')).toBe(0);

      t.clock.advance(12_000); // the breaking article waits 12 s, e.g. behind the pacing gap
      dispatcher.wake('test');
      await settle();
      await dispatcher.idle();

      const after = (await t.request('/metrics')).text;
      expect(sample(after, 'newsdesk_articles{status="queued"}')).toBe(1);
      expect(sample(after, 'newsdesk_articles{status="posted"}')).toBe(1);
      expect(sample(after, 'newsdesk_posts_total{outcome="posted"}')).toBe(1);
      expect(sample(after, 'newsdesk_enqueue_to_post_seconds_count')).toBe(1);
      expect(sample(after, 'newsdesk_enqueue_to_post_seconds_sum')).toBe(12);
      expect(sample(after, 'newsdesk_enqueue_to_post_seconds_bucket{le="10"}')).toBe(0);
      expect(sample(after, 'newsdesk_enqueue_to_post_seconds_bucket{le="30"}')).toBe(1);
      expect(sample(after, 'newsdesk_last_post_timestamp_seconds')).toBe(t.clock.now() / 1000);

      t.fake.setState('disconnected');
      const state = (await t.request('/metrics')).text;
      expect(sample(state, 'newsdesk_whatsapp_state{state="disconnected"}')).toBe(1);
      expect(sample(state, 'newsdesk_whatsapp_state{state="ready"}')).toBe(0);

      const status = await t.request('/api/status', { headers: AUTH });
      expect(status.body.counts.posted).toBe(1);
    } finally {
      await dispatcher.stop();
    }
  });

  it('counts failures and feed poll errors; a failing read at scrape time is logged, not fatal', async () => {
    const t = await httpSetup();
    const a = t.ctx.queue.enqueue(article(1), t.clock.now()).article;
    t.metrics.recordFailed(a, 'refused');
    t.metrics.recordFeedPollError();
    t.metrics.recordFeedPollError();
    const text = (await t.request('/metrics')).text;
    expect(sample(text, 'newsdesk_posts_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'newsdesk_feed_poll_errors_total')).toBe(2);

    t.db.close();
    const res = await t.request('/metrics');
    expect(res.status).toBe(200);
    expect(sample(res.text, 'newsdesk_articles{status="queued"}')).toBe(1); // the last value read
    expect(t.entries.some((e) => e.level === 'warn' && e.msg.startsWith('metrics: could not read article counts'))).toBe(true);
  });

  it('takes the last post time from the database after a restart, and scheduled articles count from their publish time', async () => {
    const metrics = createMetrics({ defaultMetrics: false, lastPostAt: () => Date.UTC(2026, 10, 26, 11, 0, 0) });
    expect(sample(await metrics.render(), 'newsdesk_last_post_timestamp_seconds')).toBe(Date.UTC(2026, 10, 26, 11, 0, 0) / 1000);
    const created = Date.UTC(2026, 10, 26, 10, 0, 0);
    const publishAt = created + 3_600_000;
    metrics.recordPosted(
      { id: 1, createdAt: created, publishAt, timed: true, postedAt: publishAt + 90_000 } as never,
      { finishedAt: publishAt + 90_000, startedAt: publishAt + 89_000 } as never,
    );
    const text = await metrics.render();
    expect(sample(text, 'newsdesk_enqueue_to_post_seconds_sum')).toBe(90);
    expect(sample(text, 'newsdesk_last_post_timestamp_seconds')).toBe((publishAt + 90_000) / 1000);
    expect(text).not.toContain('process_cpu_seconds_total');
  });
});
