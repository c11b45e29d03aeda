import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createCommandCore } from '../../src/commands/command-core.js';
import { createEditions } from '../../src/commands/editions.js';
import { createDeskStore } from '../../src/store/desk-store.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/** The desk's actions and queries: the exact answers the older tests left out (found by mutation testing). */
const WEB: Actor = { door: 'web', id: 'web:session-1' };
const URL1 = 'https://news.example.com/a';

function deskSetup() {
  const s = commandSetup();
  const ctx = { ...s.ctx, desk: createDeskStore(s.db) };
  const core = createCommandCore(ctx, s.log);
  return { ...s, ctx, core };
}

describe('post-now and reschedule: the answers', () => {
  it('post-now says what happened, or why not', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    const wakes = t.wakes();
    expect(await t.core.run('post-now 1', WEB)).toMatchObject({ status: 'ok', text: '#1 is now breaking: it goes out as soon as pacing allows.' });
    expect(t.wakes()).toBe(wakes + 1);
    expect(await t.core.run('post-now 1', WEB)).toMatchObject({ text: '#1 cannot be posted now: it is already breaking.', data: { article: { id: 1 } } });
    await t.core.run('cancel 1', WEB);
    expect((await t.core.run('post-now 1', WEB)).text).toBe('#1 cannot be posted now: it is cancelled.');
    expect((await t.core.run('post-now 9', WEB)).text).toBe('There is no article #9. Use "list all" to see ids.');
    expect(t.wakes()).toBe(wakes + 1);
  });

  it('reschedule says when, or why not', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    const wakes = t.wakes();
    expect(await t.core.run('reschedule 1   +1h  ', WEB)).toMatchObject({ status: 'ok', text: '#1 goes out at 21:00.', data: { article: { id: 1, timed: true } } });
    expect(t.wakes()).toBe(wakes + 1);
    expect(await t.core.run('reschedule 9 +1h', WEB)).toMatchObject({ reason: 'not-found', text: 'There is no article #9. Use "list all" to see ids.' });
    expect(await t.core.run('reschedule 1 soon', WEB)).toMatchObject({ status: 'invalid', data: { field: 'when' } });
    await t.core.run('cancel 1', WEB);
    expect(await t.core.run('reschedule 1 +1h', WEB)).toMatchObject({ reason: 'conflict', text: '#1 cannot be rescheduled: it is cancelled, not queued.' });
    for (const command of ['reschedule 1', 'reschedule x +1h', 'reschedule']) {
      expect(await t.core.run(command, WEB)).toMatchObject({ status: 'invalid', data: { problems: ['needs an article id and a time, e.g. "reschedule 12 18:30"'] } });
    }
  });

  it('without the desk store, the desk commands fail and say why', async () => {
    const t = commandSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    expect(await t.core.run('post-now 1', WEB)).toMatchObject({ status: 'error', text: expect.stringContaining('the desk queries are not wired into this command context') });
  });
});

describe('desk queries: the answers', () => {
  it('desk-queue counts its rows; desk-status adds the hourly figures to status; desk-feeds is the feeds answer', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    expect(await t.core.query('desk-queue', { section: 'upcoming' }, WEB)).toMatchObject({ status: 'ok', text: '1 articles', data: { rows: [{ id: 1 }] } });
    const status = await t.core.query('desk-status', {}, WEB);
    expect(status.text).toMatch(/^WhatsApp: ready\nPosting: on\n/);
    expect(status.data).toMatchObject({ running: true, counts: { queued: 1 }, hourly: expect.anything() });
    expect(await t.core.query('desk-status', { x: 1 }, WEB)).toMatchObject({ status: 'invalid' });
    expect((await t.core.query('desk-feeds', {}, WEB)).status).toBe('ok');
    expect(await t.core.query('desk-feeds', { x: 1 }, WEB)).toMatchObject({ status: 'invalid' });
  });

  it('desk-log: deliveries and audit entries, searched and paged apart', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    await t.core.run(`queue Quake | ${URL1}/q`, WEB);
    const log = await t.core.query('desk-log', { limit: 1 }, WEB);
    expect(log).toMatchObject({ status: 'ok', text: 'log' });
    expect(log.data.deliveries).toBeDefined();
    const audit = log.data.audit as { rows: { command: string }[] };
    expect(audit.rows.map((r) => r.command)).toEqual([`queue Quake | ${URL1}/q`]);
    const searched = (await t.core.query('desk-log', { q: 'Floods' }, WEB)).data.audit as { rows: { command: string }[] };
    expect(searched.rows.map((r) => r.command)).toEqual([`queue Floods rise | ${URL1}`]);
    expect(await t.core.query('desk-log', { q: 'x'.repeat(201) }, WEB)).toMatchObject({ status: 'invalid', text: expect.stringContaining('the search is at most 200 characters') });
    expect(await t.core.query('desk-log', { limit: 201 }, WEB)).toMatchObject({ status: 'invalid' });
    expect(await t.core.query('desk-log', { limit: 0 }, WEB)).toMatchObject({ status: 'invalid' });
  });

  it('desk-preview: lengths in characters as readers count them, the limits, and no duplicate for a blank link', async () => {
    const t = deskSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, WEB);
    const result = await t.core.query('desk-preview', { headline: '  Floods 🌊  ', summary: ' Rivers 🌊 rise ', url: `  ${URL1}  ` }, WEB);
    expect(result.data).toMatchObject({
      headlineLength: 8,
      headlineMax: 200,
      summaryLength: 13,
      summaryMax: 200,
      maxLength: 4096,
      problems: [],
      duplicate: { id: 1, headline: 'Floods rise', status: 'queued' },
    });
    expect(result.data.length).toBe((result.data.text as string).length);
    expect(result.text).toBe(result.data.text);
    const blank = await t.core.query('desk-preview', { headline: 'x', url: '   ' }, WEB);
    expect(blank).toMatchObject({ data: { duplicate: null, text: '' } });
    expect(blank.text).toBe((blank.data.problems as string[]).join('; '));
    expect(blank.text).not.toBe('');
  });

  it('desk-preview renders through the default channel with its invite link', async () => {
    const t = deskSetup();
    t.ctx.editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
    await t.core.run('template set main {{headline}} {{link}} {{invite}}', { door: 'cli', id: 'cli:x' });
    const result = await t.core.query('desk-preview', { headline: 'Quake', url: URL1 }, WEB);
    expect(result.data.text).toBe(`Quake ${URL1} https://whatsapp.com/channel/0029VaHarianNews0000000`);
  });
});
