import { describe, expect, it } from 'vitest';
import { deskClient, deskSetup } from './desk-setup.js';

const SPORT = 'https://whatsapp.com/channel/0029VaSport000000000000';

describe('desk: Channels page', () => {
  it('lists the channels (config one first), adds one through the channel command, and shows it', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    const page = await c.get('/channels');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a href="/channels" aria-current="page">Channels</a>');
    expect(page.text).toContain('id="channel-main"');
    expect(page.text).toContain('default (NEWSDESK_CHANNEL)');

    const added = await c.post('/channels', { target: SPORT, name: 'sport', categories: 'Sport, World Cup', feeds: '', gap: '5m', cap: '', quiet: '', digest: '08:00,18:00', top: '3', mode: 'instead' });
    expect(added).toMatchObject({ status: 303, location: '/channels' });
    expect(t.ctx.channels!.get('sport')).toMatchObject({
      categories: ['Sport', 'World Cup'], pacing: { minGapMs: 300_000, maxPerHour: 20 }, digest: { times: ['08:00', '18:00'], top: 3, mode: 'instead' },
    });
    const after = await c.get('/channels');
    expect(after.text).toContain('Channel sport added');
    expect(after.text).toContain('categories Sport, World Cup');
    expect(after.text).toContain('08:00, 18:00 · top 3 · instead of single posts');
    expect(t.audit().filter((a) => a.door === 'web').map((a) => a.command)).toEqual([
      `channel-add {"target":"${SPORT}","name":"sport","categories":"Sport, World Cup","gap":"5m","digest":"08:00,18:00","top":"3","mode":"instead"}`,
    ]);
  });

  it('shows every problem of a refused add with the values kept, and writes nothing', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await c.get('/channels');
    const refused = await c.post('/channels', { target: 'https://whatsapp.com/channel/x', name: 'Sport!', gap: 'soon' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('The channel was not added');
    expect(refused.text).toContain('is not a whole channel invite link');
    expect(refused.text).toContain('is not a short name');
    expect(refused.text).toContain('value="soon"');
    const badGap = await c.post('/channels', { target: SPORT, name: 'sport', gap: 'soon', feeds: '9' });
    expect(badGap.text).toContain('gap=: &quot;soon&quot; is not a time between posts');
    expect(badGap.text).toContain('there is no feed #9');
    expect(t.ctx.channels!.list()).toHaveLength(1);
  });

  it('pauses, resumes and removes a channel; removal with waiting posts asks for the force button', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await t.core.run(`channel add ${SPORT} name=sport`, { door: 'cli', id: 'cli:test' });
    await c.get('/channels');
    await c.post('/channels/sport/pause');
    expect(t.ctx.channels!.get('sport')!.paused).toBe(true);
    expect((await c.get('/channels')).text).toContain('action="/channels/sport/resume"');
    await c.post('/channels/sport/resume');
    expect(t.ctx.channels!.get('sport')!.paused).toBe(false);

    t.ctx.queue.enqueue({ headline: 'For sport', url: 'https://news.example.com/s' }, t.clock.now(), { channels: ['sport'] });
    await c.post('/channels/sport/remove');
    const page = await c.get('/channels');
    expect(page.text).toContain('has 1 post waiting');
    expect(page.text).toContain('Remove and cancel 1 waiting');
    expect(t.ctx.channels!.get('sport')).toBeDefined();
    await c.post('/channels/sport/remove-force');
    expect(t.ctx.channels!.get('sport')).toBeUndefined();
    expect((await c.get('/channels')).text).toContain('1 waiting post was cancelled there');
    expect((await c.get('/channels')).text).not.toContain('action="/channels/main/remove');
    expect((await c.post('/channels/main/explode')).status).toBe(404);
    // Without the CSRF token nothing happens.
    expect((await c.request('/channels/main/pause', { method: 'POST', form: {} })).status).toBe(403);
    expect(t.ctx.channels!.get('main')!.paused).toBe(false);
  });
});
