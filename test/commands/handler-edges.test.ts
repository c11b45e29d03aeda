import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * The small handlers' answers in the cases the older tests left out: webhooks, backup, links and the
 * template preview (found by mutation testing).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const HOOK = 'https://hooks.example.com/newsdesk?token=secret';

function withWebhooks(urls: string[] = [HOOK]) {
  const t = commandSetup();
  const store = createWebhookStore(t.db);
  t.ctx.webhooks = { store, urls };
  const event = (articleId: number | null, url = HOOK) => {
    store.record({ event: 'posted', eventId: `posted:${articleId}`, body: '{"secret":1}', articleId, channel: 'main', messageId: 'm1' }, [url], t.clock.now());
    return store.recent(1)[0]!.id;
  };
  return { ...t, store, event };
}

function withEditions() {
  const t = commandSetup();
  t.ctx.editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main', 'sport'] });
  return t;
}

describe('webhooks', () => {
  it('is not available without the webhook store', async () => {
    const t = commandSetup();
    expect(await t.core.run('webhooks', CLI)).toMatchObject({ status: 'ok', text: 'Webhooks are not available here.', data: { deliveries: [] } });
  });

  it('says each outcome: delivered (with the HTTP status and tries), gave up, sending, retrying', async () => {
    const t = withWebhooks();
    const now = t.clock.now();
    const delivered = t.event(1);
    t.store.markDelivered(delivered, 204, now + 1000);
    const twice = t.event(2);
    t.store.markFailed(twice, { status: 503, error: 'busy' }, now, now + 60_000);
    t.store.markDelivered(twice, 200, now + 2000);
    const failed = t.event(3);
    t.store.markFailed(failed, { status: null, error: 'connection refused' }, now, null);
    t.event(null);
    const retrying = t.event(5);
    t.store.markFailed(retrying, { status: 500, error: 'the receiver answered HTTP 500' }, now, now + 5 * 60_000);
    const result = await t.core.run('webhooks', CLI);
    expect(result.text.split('\n')).toEqual([
      'Webhooks: hooks.example.com/newsdesk · 2 delivered, 2 pending, 1 failed',
      ...[
        '20:00 posted #5 on main → hooks.example.com/newsdesk: retrying at 20:05 after 1 try: the receiver answered HTTP 500',
        '20:00 posted #- on main → hooks.example.com/newsdesk: sending',
        '20:00 posted #3 on main → hooks.example.com/newsdesk: gave up after 1 try: connection refused',
        '20:00 posted #2 on main → hooks.example.com/newsdesk: delivered HTTP 200 (2 tries)',
        '20:00 posted #1 on main → hooks.example.com/newsdesk: delivered HTTP 204 (1 try)',
      ],
    ]);
    const data = result.data as { urls: string[]; counts: unknown; deliveries: Record<string, unknown>[] };
    expect(data.urls).toEqual(['hooks.example.com/newsdesk']);
    expect(data.counts).toEqual({ delivered: 2, pending: 2, failed: 1 });
    const byArticle = (id: number | null) => data.deliveries.find((d) => d.articleId === id)!;
    expect(byArticle(1)).toMatchObject({ url: 'hooks.example.com/newsdesk', createdAt: '2026-11-26T12:00:00.000Z', deliveredAt: '2026-11-26T12:00:01.000Z', nextAttemptAt: null });
    expect(byArticle(5)).toMatchObject({ deliveredAt: null, nextAttemptAt: '2026-11-26T12:05:00.000Z', updatedAt: '2026-11-26T12:00:00.000Z' });
    expect(byArticle(3)).toMatchObject({ nextAttemptAt: null });
    expect(byArticle(1)).not.toHaveProperty('body');
    expect(JSON.stringify(result.data)).not.toContain('secret');
    expect((await t.core.run('webhooks 2', CLI)).data.deliveries).toHaveLength(2);
  });

  it('a row whose URL cannot be read is shown by its first 60 characters', async () => {
    const t = withWebhooks();
    t.event(1, `not a url ${'x'.repeat(80)}`);
    const line = (await t.core.run('webhooks', CLI)).text.split('\n')[1]!;
    expect(line).toBe(`20:00 posted #1 on main → ${`not a url ${'x'.repeat(80)}`.slice(0, 60)}: sending`);
  });
});

describe('backup', () => {
  it('writes a dated copy into <data>/backups and says how to restore it', async () => {
    const t = commandSetup();
    const result = await t.core.run('backup', ADMIN);
    const file = path.join(t.dataDir, 'backups', 'newsdesk-20261126-200000.db');
    const bytes = fs.statSync(file).size;
    expect(result).toEqual({
      status: 'ok',
      text: `Backup written: ${file} (${(bytes / 1024).toFixed(0)} KiB). Restore: stop Newsdesk, copy it over ${path.join(t.dataDir, 'newsdesk.db')} (and delete newsdesk.db-wal / -shm), start again.`,
      data: { file, bytes },
    });
  });

  it('takes a plain name from WhatsApp, and paths only from the CLI', async () => {
    const t = commandSetup();
    expect((await t.core.run('backup before-election.db', ADMIN)).data.file).toBe(path.join(t.dataDir, 'backups', 'before-election.db'));
    for (const name of ['sub/x.db', 'sub\\x.db', '.hidden.db']) {
      expect(await t.core.run(`backup ${name}`, ADMIN)).toMatchObject({
        status: 'invalid',
        text: "From WhatsApp give a plain file name (it goes into the data folder's backups/); paths work from the CLI.",
      });
    }
    const elsewhere = path.join(t.dataDir, 'elsewhere.db');
    expect((await t.core.run(`backup ${elsewhere}`, CLI)).data.file).toBe(elsewhere);
    expect(fs.existsSync(elsewhere)).toBe(true);
  });

  it('refuses a path that is too long or holds control characters, and a target it cannot use', async () => {
    const t = commandSetup();
    expect(await t.core.run(`backup ${'x'.repeat(501)}`, CLI)).toMatchObject({ status: 'invalid', data: { problems: ['the path must be at most 500 characters'] } });
    expect(await t.core.run('backup a\rb.db', CLI)).toMatchObject({ status: 'invalid', data: { problems: ['the path contains control characters'] } });
    await t.core.run('backup once.db', CLI);
    const again = await t.core.run('backup once.db', CLI);
    expect(again).toMatchObject({ status: 'invalid', data: { file: path.join(t.dataDir, 'backups', 'once.db') } });
    expect(again.text).toMatch(/\.$/);
  });
});

describe('links', () => {
  it('is not available without editions, and names the channels for an unknown one', async () => {
    expect(await commandSetup().core.run('links main', CLI)).toMatchObject({ status: 'invalid', text: 'Templates and tracked links are not available here.' });
    expect(await withEditions().core.run('links ghost', CLI)).toMatchObject({
      status: 'invalid',
      reason: 'not-found',
      text: 'There is no channel "ghost": the channels are "main", "sport" (NEWSDESK_CHANNEL_NAME names today\'s).',
      data: { channel: 'ghost' },
    });
  });

  it('shows the settings without saving; off says what on would add; the utm_ names are accepted as keys', async () => {
    const t = withEditions();
    const shown = await t.core.run('links sport', CLI);
    expect(shown).toEqual({
      status: 'ok',
      text: 'Tracked links are off for sport: links are posted as they were queued. When on: utm_source=whatsapp utm_medium=channel utm_campaign=sport.',
      data: { channel: 'sport', utm: { enabled: false, source: 'whatsapp', medium: 'channel', campaign: 'sport' }, example: null },
    });
    expect(t.db.prepare('SELECT * FROM channel_links').all()).toEqual([]);
    const set = await t.core.run('links sport UTM_SOURCE=wa utm_medium=news utm_campaign=evening', CLI);
    expect(set.text).toBe('Saved. Tracked links are off for sport: links are posted as they were queued. When on: utm_source=wa utm_medium=news utm_campaign=evening.');
    const on = await t.core.run('links sport ON', CLI);
    expect(on.data).toMatchObject({ utm: { enabled: true, source: 'wa' }, example: 'https://news.example.com/floods?utm_source=wa&utm_medium=news&utm_campaign=evening' });
    expect(on.text).toBe(
      'Saved. Tracked links are on for sport: utm_source=wa utm_medium=news utm_campaign=evening.\nA posted link looks like https://news.example.com/floods?utm_source=wa&utm_medium=news&utm_campaign=evening (the stored link, and duplicate checks, are unchanged).',
    );
  });

  it.each([
    ['links', "needs the channel's short name, e.g. links main on"],
    ['links main =x', '"=x" is not an option: use on, off, source=, medium= or campaign='],
    ['links main source', '"source" is not an option: use on, off, source=, medium= or campaign='],
    ['links main medium=', 'medium= needs 1 to 64 letters, digits, ".", "-" or "_" (got "")'],
  ])('%s is refused: %s', async (command, problem) => {
    expect(await withEditions().core.run(command, CLI)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
  });
});

describe('preview with a channel', () => {
  it('renders through the named channel, refuses an unknown one, and without editions uses the plain format', async () => {
    const t = withEditions();
    await t.core.run('template set sport ⚽ {{headline}} {{link}}', CLI);
    expect(await t.core.run('preview channel=sport Derby | https://news.example.com/derby', CLI)).toEqual({
      status: 'ok',
      text: '⚽ Derby https://news.example.com/derby',
      data: { text: '⚽ Derby https://news.example.com/derby', channel: 'sport' },
    });
    expect(await t.core.run('preview Derby | https://news.example.com/derby', CLI)).toMatchObject({ text: '*Derby*\n\nhttps://news.example.com/derby', data: { channel: 'main' } });
    expect(await t.core.run('preview CHANNEL=ghost Derby | https://news.example.com/derby', CLI)).toMatchObject({ status: 'invalid', reason: 'not-found' });
    await t.core.run('queue Derby | https://news.example.com/derby', CLI);
    expect(await t.core.run('preview channel=sport #1', CLI)).toMatchObject({ text: '⚽ Derby https://news.example.com/derby', data: { id: 1, channel: 'sport' } });
    const plain = commandSetup();
    expect(await plain.core.run('preview channel=sport Derby | https://news.example.com/derby', CLI)).toMatchObject({
      text: '*Derby*\n\nhttps://news.example.com/derby',
      data: { channel: 'sport' },
    });
  });

  it('names what is wrong with the article', async () => {
    expect(await withEditions().core.run('preview Derby only', CLI)).toMatchObject({ status: 'invalid', data: { problems: ['needs at least a headline and a link separated by |'] } });
  });
});
