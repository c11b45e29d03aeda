import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createCommandCore } from '../../src/commands/command-core.js';
import { createEditions } from '../../src/commands/editions.js';
import { createDeskStore } from '../../src/store/desk-store.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/** The desk's actions and queries: their help, the inputs they accept and refuse, and paging (found by mutation testing). */
const WEB: Actor = { door: 'web', id: 'web:session-1' };
const URL1 = 'https://news.example.com/a';

function deskSetup(runtime: Parameters<typeof commandSetup>[0] = {}) {
  const s = commandSetup(runtime);
  const ctx = { ...s.ctx, desk: createDeskStore(s.db) };
  const core = createCommandCore(ctx, s.log);
  /** A finished delivery attempt of article `articleId`, as the posting loop writes it. */
  const delivery = (articleId: number) =>
    s.db
      .prepare(`INSERT INTO deliveries (article_id, attempt, channel, status, text, started_at, finished_at) VALUES (?, 1, 'main', 'failed', 'x', 0, 0)`)
      .run(articleId).lastInsertRowid as number;
  return { ...s, ctx, core, delivery };
}

describe('post-now and reschedule: usage and help', () => {
  it('the help list names both with their usage and what they do', async () => {
    const t = deskSetup();
    const help = (await t.core.run('help', WEB)).text;
    expect(help).toContain('\n• post-now <id> — make a queued article breaking, so it goes out next as pacing allows\n');
    expect(help).toContain('\n• reschedule <id> <when> — move a queued article to a time: 18:30, +45m, or 2026-12-01T08:00\n');
    expect((await t.core.run('help reschedule', WEB)).text).toBe(
      'reschedule <id> <when>\nmove a queued article to a time: 18:30, +45m, or 2026-12-01T08:00\nexample: reschedule 12 18:30',
    );
  });

  it('a bad id is answered with the usage line and the example', async () => {
    const t = deskSetup();
    expect((await t.core.run('post-now x', WEB)).text).toMatch(/\nusage: post-now <id>\nexample: post-now 12$/);
    expect((await t.core.run('reschedule x +1h', WEB)).text).toMatch(/\nusage: reschedule <id> <when>\nexample: reschedule 12 18:30$/);
  });
});

describe('post-now and reschedule: the data with a refusal', () => {
  it('names the missing id, or the article that cannot move', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    expect(await t.core.run('post-now 9', WEB)).toMatchObject({ reason: 'not-found', data: { id: 9 } });
    expect(await t.core.run('reschedule 9 +1h', WEB)).toMatchObject({ reason: 'not-found', data: { id: 9 } });
    await t.core.run('cancel 1', WEB);
    expect(await t.core.run('reschedule 1 +1h', WEB)).toMatchObject({ reason: 'conflict', data: { article: { id: 1, status: 'cancelled' } } });
  });
});

describe('desk-queue: the inputs it takes', () => {
  it('the finished section, newest first, filtered by each finished status', async () => {
    const t = deskSetup();
    await t.core.run(`queue One | ${URL1}/1`, WEB);
    await t.core.run(`queue Two | ${URL1}/2`, WEB);
    await t.core.run('cancel 1', WEB);
    t.clock.advance(1_000);
    await t.core.run('cancel 2', WEB);
    const ids = async (input: Record<string, unknown>) => {
      const page = await t.core.query('desk-queue', input, WEB);
      expect(page.status).toBe('ok');
      return (page.data.rows as { id: number }[]).map((a) => a.id);
    };
    expect(await ids({ section: 'done' })).toEqual([2, 1]);
    expect(await ids({ section: 'done', filter: 'cancelled' })).toEqual([2, 1]);
    expect(await ids({ section: 'done', filter: 'posted' })).toEqual([]);
    expect(await ids({ section: 'done', filter: 'failed' })).toEqual([]);
    expect(await ids({ section: 'upcoming', filter: 'queued' })).toEqual([]);
    expect(await ids({ section: 'upcoming', cursor: null })).toEqual([]);
  });

  it('pages 50 rows unless told otherwise, and refuses a limit or a cursor id that is not a whole number', async () => {
    const t = deskSetup();
    for (let i = 1; i <= 51; i += 1) t.ctx.queue.enqueue({ headline: `Story ${i}`, url: `${URL1}/${i}` }, t.clock.now());
    const page = await t.core.query('desk-queue', { section: 'upcoming' }, WEB);
    expect(page.text).toBe('50 articles');
    expect(page.data.next).not.toBeNull();
    expect(await t.core.query('desk-queue', { section: 'upcoming', limit: 200 }, WEB)).toMatchObject({ status: 'ok', text: '51 articles' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', limit: 1 }, WEB)).toMatchObject({ status: 'ok', text: '1 articles' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', limit: 1.5 }, WEB)).toMatchObject({ status: 'invalid' });
    const next = page.data.next as { k1: number; k2: number; id: number };
    expect(await t.core.query('desk-queue', { section: 'upcoming', cursor: next }, WEB)).toMatchObject({ status: 'ok', text: '1 articles' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', cursor: { ...next, id: 1.5 } }, WEB)).toMatchObject({ status: 'invalid' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', extra: 1 }, WEB)).toMatchObject({ status: 'invalid' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', q: 'x'.repeat(200) }, WEB)).toMatchObject({ status: 'ok', text: '0 articles' });
    expect(await t.core.query('desk-queue', { section: 'upcoming', q: 'x'.repeat(201) }, WEB)).toMatchObject({ status: 'invalid' });
  });
});

describe('desk-log: paging deliveries and audit entries apart', () => {
  it('each list pages from its own "before" id', async () => {
    const t = deskSetup();
    await t.core.run(`queue One | ${URL1}/1`, WEB);
    await t.core.run(`queue Two | ${URL1}/2`, WEB);
    const [d1, d2] = [t.delivery(1), t.delivery(2)];
    const log = async (input: Record<string, unknown>) => {
      const result = await t.core.query('desk-log', input, WEB);
      expect(result.status).toBe('ok');
      const data = result.data as { deliveries: { rows: { id: number }[]; next: number | null }; audit: { rows: { command: string }[]; next: number | null } };
      return { deliveries: data.deliveries.rows.map((r) => r.id), audit: data.audit.rows.map((r) => r.command), next: [data.deliveries.next, data.audit.next] };
    };
    expect(await log({})).toEqual({ deliveries: [d2, d1], audit: [`queue Two | ${URL1}/2`, `queue One | ${URL1}/1`], next: [null, null] });
    expect(await log({ limit: 1 })).toMatchObject({ deliveries: [d2], audit: [`queue Two | ${URL1}/2`] });
    expect(await log({ deliveriesBefore: d2 })).toMatchObject({ deliveries: [d1], audit: [`queue Two | ${URL1}/2`, `queue One | ${URL1}/1`] });
    const [, second] = ((await t.core.query('desk-log', {}, WEB)).data.audit as { rows: { id: number }[] }).rows;
    expect(await log({ auditBefore: second!.id + 1, deliveriesBefore: null })).toMatchObject({ deliveries: [d2, d1], audit: [`queue One | ${URL1}/1`] });
    expect(await log({ q: 'Two' })).toMatchObject({ deliveries: [d2], audit: [`queue Two | ${URL1}/2`] });
    for (const bad of [{ deliveriesBefore: 1.5 }, { auditBefore: 1.5 }, { limit: 2.5 }, { extra: 1 }]) {
      expect(await t.core.query('desk-log', bad, WEB)).toMatchObject({ status: 'invalid' });
    }
  });
});

describe('desk-preview: what it accepts and renders', () => {
  it('leaves out a missing summary, posts as normal unless breaking, and takes fields up to a few times their limit', async () => {
    const t = deskSetup();
    expect((await t.core.query('desk-preview', { headline: 'Quake', url: URL1 }, WEB)).data).toMatchObject({ text: `*Quake*\n\n${URL1}`, summaryLength: 0 });
    expect((await t.core.query('desk-preview', { url: URL1 }, WEB)).data).toMatchObject({ text: '', headlineLength: 0 });
    expect((await t.core.query('desk-preview', { headline: 'Quake' }, WEB)).data).toMatchObject({ text: '', problems: ['link "" is not a URL: use a full https:// link'] });
    const long = await t.core.query('desk-preview', { headline: 'h'.repeat(800), summary: 's'.repeat(10_000), url: `${URL1}/${'u'.repeat(3_900)}` }, WEB);
    expect(long).toMatchObject({ status: 'ok', data: { headlineLength: 800, summaryLength: 10_000 } });
    expect((await t.core.query('desk-preview', { headline: 'Quake', url: URL1, priority: 'normal' }, WEB)).data).toMatchObject({ text: `*Quake*\n\n${URL1}` });
    for (const bad of [{ headline: 'h'.repeat(801) }, { summary: 's'.repeat(10_001) }, { url: 'u'.repeat(4_001) }, { priority: 'urgent' }]) {
      expect(await t.core.query('desk-preview', bad, WEB)).toMatchObject({ status: 'invalid' });
    }
  });

  it('without channel details (WhatsApp not connected yet) the template renders without the invite link', async () => {
    const t = deskSetup({ channelInfo: undefined });
    t.ctx.editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
    await t.core.run('template set main {{headline}} {{link}}{{#invite}} {{invite}}{{/invite}}', { door: 'cli', id: 'cli:x' });
    expect(await t.core.query('desk-preview', { headline: 'Quake', url: URL1 }, WEB)).toMatchObject({ status: 'ok', data: { text: `Quake ${URL1}` } });
  });

  it('a failure that is not about the article is an error, not a problem with the text', async () => {
    const t = deskSetup();
    const editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
    t.ctx.editions = {
      ...editions,
      render: () => {
        throw new Error('the template store is locked');
      },
    };
    expect(await t.core.query('desk-preview', { headline: 'Quake', url: URL1 }, WEB)).toMatchObject({ status: 'error', text: expect.stringContaining('the template store is locked') });
  });
});
