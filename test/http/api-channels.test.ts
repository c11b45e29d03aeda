import { describe, expect, it } from 'vitest';
import { AUTH, JSON_AUTH, httpSetup } from './http-setup.js';

const SPORT = '120363000000000777@newsletter';

describe('/api/channels', () => {
  it('adds, lists, changes and removes a channel over HTTP, through the same registry the commands use', async () => {
    const t = await httpSetup();
    const json = (method: string, body: unknown) => ({ method, headers: JSON_AUTH, body: JSON.stringify(body) });

    const added = await t.request('/api/channels', json('POST', { target: SPORT, name: 'sport', feeds: [], categories: ['Sport', 'Football'], cap: '6/h', digest: ['18:00', '08:00'], mode: 'instead' }));
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe('/api/channels/sport');
    expect(added.body.channel).toEqual({
      name: 'sport', target: SPORT, categories: ['Sport', 'Football'], feeds: null, paused: false,
      pacing: { minGapMs: 120_000, maxPerHour: 6, quietHours: null }, digest: { times: ['08:00', '18:00'], top: 5, mode: 'instead' }, isDefault: false,
    });

    const list = await t.request('/api/channels', { headers: AUTH });
    expect(list.status).toBe(200);
    expect(list.body.channels.map((c: { name: string; isDefault: boolean }) => [c.name, c.isDefault])).toEqual([['main', true], ['sport', false]]);

    const paused = await t.request('/api/channels/sport', json('PATCH', { paused: true, quiet: '22:00-06:00', name: 'main' }));
    expect(paused.status).toBe(200);
    expect(t.ctx.channels!.get('sport')).toMatchObject({ paused: true, pacing: { quietHours: '22:00-06:00' } });
    expect(t.ctx.channels!.get('main')!.paused).toBe(false); // the path names the channel, never the body

    const removed = await t.request('/api/channels/sport', { method: 'DELETE', headers: AUTH });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ channel: 'sport', removed: true, cancelled: 0 });
    expect(t.ctx.channels!.list().map((c) => c.name)).toEqual(['main']);
  });

  it('answers bad input with 400 and every problem by field, a taken name with 409, an unknown channel with 404', async () => {
    const t = await httpSetup();
    const post = (body: unknown) => t.request('/api/channels', { method: 'POST', headers: JSON_AUTH, body: JSON.stringify(body) });
    const bad = await post({ target: 'https://whatsapp.com/channel/short', name: 'x y', feeds: [42], gap: 'forever' });
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['name', 'target']);
    const badValues = await post({ target: SPORT, name: 'sport', feeds: [42], gap: 'forever' });
    expect(badValues.status).toBe(400);
    expect(badValues.body.error).toMatch(/gap=: "forever" is not a time between posts.*feeds=: there is no feed #42/);
    expect(t.ctx.channels!.list()).toHaveLength(1);

    expect((await post({ target: SPORT, name: 'sport' })).status).toBe(201);
    const taken = await post({ target: '120363000000000778@newsletter', name: 'sport' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatch(/already a channel named "sport"/);
    expect((await t.request('/api/channels/ghost', { method: 'DELETE', headers: AUTH })).status).toBe(404);
    expect((await t.request('/api/channels/Not%20A%20Name', { method: 'DELETE', headers: AUTH })).status).toBe(400);
    expect((await t.request('/api/channels', { headers: {} })).status).toBe(401);
  });
});
