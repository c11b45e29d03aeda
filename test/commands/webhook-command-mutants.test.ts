import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * `webhooks` and `backup` in the cases the older tests left out (found by mutation testing): no URLs
 * set, several URLs, no deliveries yet, rows without an HTTP status or an error, a failing disk, help.
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const HOOK = 'https://hooks.example.com/newsdesk?token=secret';

function withWebhooks(urls: string[]) {
  const t = commandSetup();
  const store = createWebhookStore(t.db);
  t.ctx.webhooks = { store, urls };
  const event = (articleId: number) => {
    store.record({ event: 'posted', eventId: `posted:${articleId}`, body: '{}', articleId, channel: 'main', messageId: 'm1' }, [HOOK], t.clock.now());
    return store.recent(1)[0]!.id;
  };
  return { ...t, store, event };
}

describe('webhooks', () => {
  it('says when no webhooks are set, and when nothing was delivered yet', async () => {
    const t = withWebhooks([]);
    expect(await t.core.run('webhooks', CLI)).toMatchObject({
      status: 'ok',
      text: 'No webhooks are set (NEWSDESK_WEBHOOKS).\nNo webhook deliveries yet.',
      data: { urls: [], counts: { delivered: 0, pending: 0, failed: 0 }, deliveries: [] },
    });
  });

  it('names every URL, separated by commas', async () => {
    const t = withWebhooks([HOOK, 'https://cms.example.org/hooks/in']);
    expect((await t.core.run('webhooks', CLI)).text).toBe(
      'Webhooks: hooks.example.com/newsdesk, cms.example.org/hooks/in · 0 delivered, 0 pending, 0 failed\nNo webhook deliveries yet.',
    );
  });

  it('a row with no HTTP status or error (the schema allows both) shows neither, never "null"', async () => {
    const t = withWebhooks([HOOK]);
    const delivered = t.event(1);
    t.store.markDelivered(delivered, 204, t.clock.now());
    const failed = t.event(2);
    t.store.markFailed(failed, { status: null, error: 'x' }, t.clock.now(), null);
    const retrying = t.event(3);
    t.store.markFailed(retrying, { status: null, error: 'x' }, t.clock.now(), t.clock.now() + 60_000);
    t.db.prepare('UPDATE webhook_deliveries SET last_status = NULL, last_error = NULL').run();
    expect((await t.core.run('webhooks', CLI)).text.split('\n').slice(1)).toEqual([
      '20:00 posted #3 on main → hooks.example.com/newsdesk: retrying at 20:01 after 1 try: ',
      '20:00 posted #2 on main → hooks.example.com/newsdesk: gave up after 1 try: ',
      '20:00 posted #1 on main → hooks.example.com/newsdesk: delivered (1 try)',
    ]);
  });

  it('help webhooks', async () => {
    expect((await commandSetup().core.run('help webhooks', CLI)).text).toBe(
      'webhooks [n]\nthe newest n webhook deliveries (posted, failed) with outcome, HTTP status, error and next try\nexample: webhooks 20',
    );
  });
});

describe('backup', () => {
  it('a failing disk is an error, not bad input', async () => {
    const t = commandSetup();
    t.ctx.backup = () => {
      throw new Error('disk I/O error');
    };
    expect(await t.core.run('backup', ADMIN)).toMatchObject({ status: 'error', text: '"backup" failed: disk I/O error. Nothing was changed; try again or check the logs.' });
  });

  it('help backup', async () => {
    expect((await commandSetup().core.run('help backup', CLI)).text).toBe(
      'backup [file]\nwrite a consistent copy of the database (default name with date and time) into <data>/backups\nexample: backup before-election.db',
    );
  });
});
