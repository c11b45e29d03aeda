import { describe, expect, it } from 'vitest';
import { routeArticle, UnknownChannelError } from '../../src/editions/routing.js';
import { createFeedStore } from '../../src/store/feed-store.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';
import { channelSpec } from '../helpers/channel-spec.js';

const SPORT = 'https://whatsapp.com/channel/0029VaSport000000000000';
const BIZ = 'https://whatsapp.com/channel/0029VaBiz00000000000000';

const idOf = (r: { data?: unknown }) => (r.data as { article: { id: number } }).article.id;

const spec = channelSpec;

describe('routing rule (editions/routing.ts)', () => {
  const main = spec('main', { isDefault: true, categories: ['News'] });
  const sport = spec('sport', { categories: ['Sport'], feeds: [7] });
  const all = spec('all');
  const digestOnly = spec('digest', { digest: { times: ['08:00'], top: 5, mode: 'instead' } });

  it('by category (case-insensitive), by feed, and a channel without filters takes everything', () => {
    expect(routeArticle({ category: 'sport', source: 'cli' }, [main, sport])).toEqual(['sport']);
    expect(routeArticle({ category: null, source: 'feed:7' }, [main, sport])).toEqual(['sport']);
    expect(routeArticle({ category: 'News', source: 'feed:7' }, [main, sport])).toEqual(['main', 'sport']);
    expect(routeArticle({ category: 'Weather', source: 'feed:8' }, [main, sport, all])).toEqual(['all']);
  });

  it('no match goes to the default channel (nothing is dropped); an `instead` digest channel gets no single posts', () => {
    expect(routeArticle({ category: 'Weather', source: 'feed:70' }, [sport, main])).toEqual(['main']);
    expect(routeArticle({ category: null, source: 'cli' }, [main, digestOnly])).toEqual(['main']);
  });

  it('explicit channels win, exactly those; an unknown one is refused naming the known ones', () => {
    expect(routeArticle({ category: 'sport', source: 'cli' }, [main, sport], ['main'])).toEqual(['main']);
    expect(routeArticle({ category: null, source: 'cli' }, [main, sport, digestOnly], ['Digest', 'sport', 'digest'])).toEqual(['digest', 'sport']);
    expect(() => routeArticle({ category: null, source: 'cli' }, [main, sport], ['sports'])).toThrow(UnknownChannelError);
    expect(() => routeArticle({ category: null, source: 'cli' }, [main, sport], ['sports'])).toThrow('no channel named "sports": the channels are main, sport');
  });
});

describe('channel= on queue commands and channels in the API', () => {
  async function setup() {
    const t = commandSetup();
    const feed = createFeedStore(t.db).insert(
      { url: 'https://news.example.com/biz.xml', category: null, priority: 'normal', everyMinutes: 5, backfill: 0, maxPerPoll: 10, include: [], exclude: [] },
      t.clock.now(),
    );
    expect((await t.core.run(`channel add ${SPORT} name=sport categories=Sport`, ADMIN)).status).toBe('ok');
    expect((await t.core.run(`channel add ${BIZ} name=biz feeds=${feed.id}`, ADMIN)).status).toBe('ok');
    const channelsOf = (id: number) => t.ctx.queue.channelsOf(id).map((c) => c.channel);
    return { ...t, feed, channelsOf };
  }

  it('queue, breaking and schedule take channel= before the headline or after the link', async () => {
    const t = await setup();
    const queued = await t.core.run('queue channel=sport Derby tonight | Kick-off at 8 | https://news.example.com/derby', ADMIN);
    expect(queued).toMatchObject({ status: 'ok', data: { channels: ['sport'] } });
    expect(queued.text).toMatch(/^Queued #1 on sport: /);
    const breaking = await t.core.run('breaking Quake | M6 | https://news.example.com/quake channel=biz,sport', ADMIN);
    expect(t.channelsOf(idOf(breaking))).toEqual(['biz', 'sport']);
    const scheduled = await t.core.run('schedule +1h image=https://news.example.com/p.jpg channel=MAIN Budget | Explained | https://news.example.com/budget', ADMIN);
    expect(scheduled.status).toBe('ok');
    expect(t.channelsOf(idOf(scheduled))).toEqual(['main']);
    expect(t.ctx.queue.get(idOf(scheduled))?.imageUrl).toBe('https://news.example.com/p.jpg');
  });

  it('without channel= an article goes to every channel whose category or feed matches, and to those without filters', async () => {
    const t = await setup();
    const plain = await t.core.run('queue Rain again | Floods | https://news.example.com/rain', ADMIN);
    expect(plain.text).toMatch(/^Queued #1: /); // one default channel: not named, as before
    expect(t.channelsOf(1)).toEqual(['main']);
    const sport = t.ctx.queue.enqueue({ headline: 'Cup final', url: 'https://news.example.com/cup', category: 'sport' }, t.clock.now());
    // main has no filter, so it takes every article; sport takes its category too.
    expect(t.channelsOf(sport.article.id)).toEqual(['main', 'sport']);
    const fromFeed = t.ctx.queue.enqueueMany([{ headline: 'Ringgit up', url: 'https://news.example.com/ringgit', source: `feed:${t.feed.id}` }], t.clock.now())[0];
    expect(t.channelsOf((fromFeed as { article: { id: number } }).article.id)).toEqual(['biz', 'main']);
  });

  it('an unknown channel is refused with the known ones, and nothing is written', async () => {
    const t = await setup();
    const before = t.snapshot();
    const result = await t.core.run('queue channel=sports Derby | Tonight | https://news.example.com/derby', ADMIN);
    expect(result.status).toBe('invalid');
    expect(result.text).toBe('No channel named "sports": the channels are main, biz, sport (see "channel list"; add one with "channel add").');
    expect(t.snapshot()).toEqual(before);
    expect((await t.core.run('queue channel= Derby | Tonight | https://news.example.com/derby', ADMIN)).text).toMatch(/channel= needs a channel's short name/);
    expect((await t.core.run('queue channel=a channel=b Derby | Tonight | https://news.example.com/derby', ADMIN)).text).toMatch(/channel= is given twice/);
    expect((await t.core.run('queue channel=Bad! Derby | Tonight | https://news.example.com/derby', ADMIN)).text).toMatch(/"bad!" is not one/);
  });

  it('the structured enqueue (API body) takes channels', async () => {
    const t = await setup();
    const ok = await t.core.runStructured('enqueue', { headline: 'Derby', url: 'https://news.example.com/derby', channels: ['sport', 'main'] }, { door: 'api', id: 'api:cms' });
    expect(ok).toMatchObject({ status: 'ok', data: { channels: ['main', 'sport'] } });
    const bad = await t.core.runStructured('enqueue', { headline: 'Derby 2', url: 'https://news.example.com/derby2', channels: ['nope'] }, { door: 'api', id: 'api:cms' });
    expect(bad).toMatchObject({ status: 'invalid', text: expect.stringContaining('No channel named "nope"') });
    const empty = await t.core.runStructured('enqueue', { headline: 'Derby 3', url: 'https://news.example.com/derby3', channels: [] }, { door: 'api', id: 'api:cms' });
    expect(empty.status).toBe('invalid');
  });

  it('show, list and status show each channel\'s delivery', async () => {
    const t = await setup();
    await t.core.run('queue channel=main,sport Derby | Tonight | https://news.example.com/derby', ADMIN);
    const now = t.clock.now();
    const claim = t.ctx.queue.claimNext(now, now, { normal: ['sport'], breakingOnly: [] }, () => 'Derby text')!;
    t.ctx.queue.markPosted(claim.delivery.id, 'msg-sport-1', now);
    const show = await t.core.run('show 1', ADMIN);
    expect(show.text).toContain('channels:\n  main: queued\n  sport: posted');
    expect(show.text).toMatch(/attempts:\n {2}1\. sport .* posted · msg-sport-1/);
    expect(show.data.channels).toEqual([
      expect.objectContaining({ channel: 'main', status: 'queued', messageId: null }),
      expect.objectContaining({ channel: 'sport', status: 'posted', messageId: 'msg-sport-1' }),
    ]);
    expect((await t.core.run('list all', ADMIN)).text).toContain('[main queued, sport posted]');
    const status = await t.core.run('status', ADMIN);
    expect(status.text).toContain('Channels:\n  main: 1 queued, 0 posting, 0 posted, 0 failed, 0 cancelled\n  biz: 0 queued');
    expect(status.text).toContain('  sport: 0 queued, 0 posting, 1 posted');
    // One article on the default channel only: the answers read as before.
    await t.core.run('queue Rain | Floods | https://news.example.com/rain', ADMIN);
    expect((await t.core.run('show 2', ADMIN)).text).not.toContain('channels:');
  });
});
