import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createCommandCore } from '../../src/commands/command-core.js';
import { createEditions } from '../../src/commands/editions.js';
import { createDeskStore } from '../../src/store/desk-store.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

const WEB: Actor = { door: 'web', id: 'web:session-1' };

/** The command core with the desk's store wired in, as createCommandContext does for the bot and the CLI. */
function deskSetup() {
  const s = commandSetup();
  const ctx = { ...s.ctx, desk: createDeskStore(s.db) };
  const core = createCommandCore(ctx, s.log);
  const audit = () => s.db.prepare('SELECT door, actor, command, outcome FROM audit_log ORDER BY id').all();
  return { ...s, ctx, core, audit };
}

describe('desk commands: post-now and reschedule', () => {
  it('post-now makes a queued normal article breaking, audited with the web door', async () => {
    const t = deskSetup();
    await t.core.run('queue Floods rise | https://news.example.com/a', WEB);
    const result = await t.core.run('post-now 1', WEB);
    expect(result).toMatchObject({ status: 'ok', data: { article: { id: 1, priority: 'breaking' } } });
    expect(t.ctx.queue.get(1)?.priority).toBe('breaking');
    expect(t.audit().at(-1)).toEqual({ door: 'web', actor: 'web:session-1', command: 'post-now 1', outcome: 'ok' });
    expect(await t.core.run('post-now 1', WEB)).toMatchObject({ status: 'invalid', reason: 'conflict' });
    expect(await t.core.run('post-now 9', WEB)).toMatchObject({ status: 'invalid', reason: 'not-found' });
  });

  it('reschedule moves a queued article to a time in the newsroom zone and refuses finished ones', async () => {
    const t = deskSetup();
    await t.core.run('queue Floods rise | https://news.example.com/a', WEB);
    const result = await t.core.run('reschedule 1 2026-11-27T08:00', WEB);
    expect(result.status).toBe('ok');
    // 08:00 in Asia/Kuala_Lumpur (UTC+8) is 00:00 UTC.
    expect(t.ctx.queue.get(1)).toMatchObject({ publishAt: Date.UTC(2026, 10, 27, 0, 0), timed: true });
    expect(await t.core.run('reschedule 1 2020-01-01T08:00', WEB)).toMatchObject({ status: 'invalid' });
    await t.core.run('cancel 1', WEB);
    expect(await t.core.run('reschedule 1 +1h', WEB)).toMatchObject({ status: 'invalid', reason: 'conflict' });
    expect(await t.core.run('reschedule 1', WEB)).toMatchObject({ status: 'invalid' });
  });
});

describe('desk queries', () => {
  it('page the queue in posting order by keyset and are not audited', async () => {
    const t = deskSetup();
    for (let i = 1; i <= 5; i += 1) await t.core.run(`${i === 4 ? 'breaking' : 'queue'} Story ${i} | https://news.example.com/${i}`, WEB);
    await t.core.run('schedule +2h Later story | https://news.example.com/later', WEB);
    const auditBefore = t.audit().length;
    const first = await t.core.query('desk-queue', { section: 'upcoming', limit: 3 }, WEB);
    const rows = (r: typeof first) => (r.data.rows as { id: number }[]).map((a) => a.id);
    expect(rows(first)).toEqual([4, 1, 2]);
    const second = await t.core.query('desk-queue', { section: 'upcoming', limit: 3, cursor: first.data.next }, WEB);
    expect(rows(second)).toEqual([3, 5, 6]);
    expect(second.data.next).toBeNull();
    expect(rows(await t.core.query('desk-queue', { section: 'upcoming', filter: 'scheduled', limit: 10 }, WEB))).toEqual([6]);
    expect(rows(await t.core.query('desk-queue', { section: 'upcoming', q: 'Story 3', limit: 10 }, WEB))).toEqual([3]);
    expect(t.audit().length).toBe(auditBefore);
    expect(await t.core.query('desk-queue', { section: 'sideways' }, WEB)).toMatchObject({ status: 'invalid' });
  });

  it('preview gives the formatter text, its length and the article already under that link', async () => {
    const t = deskSetup();
    await t.core.run('queue Floods rise | https://news.example.com/a', WEB);
    const result = await t.core.query('desk-preview', { headline: 'Quake *hits*', summary: 'M6.1', url: 'https://news.example.com/a?utm_source=x', priority: 'breaking' }, WEB);
    expect(result.data).toMatchObject({
      text: '*🔴 BREAKING: Quake ∗hits∗*\n\nM6.1\n\nhttps://news.example.com/a?utm_source=x',
      problems: [],
      duplicate: { id: 1, status: 'queued' },
    });
    const bad = await t.core.query('desk-preview', { headline: 'x', url: 'not a link' }, WEB);
    expect(bad.data).toMatchObject({ text: '', duplicate: null });
    expect((bad.data.problems as string[])[0]).toMatch(/not a URL/);
  });

  it('preview renders through the channel template, as posting does', async () => {
    const t = deskSetup();
    const editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
    t.ctx.editions = editions;
    expect((await t.core.run('template set main 📰 *{{headline}}*\n\n🔗 {{link}}', { door: 'cli', id: 'cli:x' })).status).toBe('ok');
    const result = await t.core.query('desk-preview', { headline: 'Quake hits Sabah', url: 'https://news.example.com/q' }, WEB);
    expect(result.data.text).toBe(editions.render({ headline: 'Quake hits Sabah', summary: '', url: 'https://news.example.com/q', priority: 'normal', source: WEB.id }, 'main', t.clock.now(), null));
    expect(result.data.text).toMatch(/^📰 \*Quake hits Sabah\*/);
  });
});
