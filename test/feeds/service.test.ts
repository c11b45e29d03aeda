import { describe, expect, it } from 'vitest';
import { FeedSettingsError } from '../../src/feeds/errors.js';
import { settle } from '../fakes/fake-clock.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

const MINUTE = 60_000;

describe('the poller', () => {
  it('polls each feed on its own schedule, and not at all before start()', async () => {
    const setup = await feedSetup();
    const fast = setup.server.serve('/fast.rss', { body: rss([item(1)]) });
    const slow = setup.server.serve('/slow.rss', { body: rss([item(1)]) });
    await setup.service.add(fast);
    await setup.service.add(slow, { everyMinutes: 15 });
    await setup.elapse(10 * MINUTE);
    expect(setup.server.hits('/fast.rss')).toHaveLength(1); // only the poll of `add`

    setup.service.start();
    await setup.elapse(30 * MINUTE);
    // Overdue since minute 5, so polled as soon as started (just after minute 10), then every 5 minutes
    // up to minute 40; the slow one at 15 and 30.
    expect(setup.server.hits('/fast.rss')).toHaveLength(1 + 6);
    expect(setup.server.hits('/slow.rss')).toHaveLength(1 + 2);
    const [fastFeed, slowFeed] = setup.service.list();
    expect(fastFeed!.nextPollAt - fastFeed!.lastPollAt!).toBe(5 * MINUTE);
    expect(slowFeed!.nextPollAt - slowFeed!.lastPollAt!).toBe(15 * MINUTE);
    expect(slowFeed!.lastPollAt).toBe(setup.clock.now() - 10 * MINUTE);
  });

  it('queues new stories found by scheduled polls and wakes the dispatcher', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([item(1)]) });
    await setup.service.add(url);
    setup.service.start();
    setup.server.serve('/news.rss', { body: rss([item(2), item(1)]) });
    await setup.elapse(5 * MINUTE);
    expect(setup.articles().map((a) => a.headline)).toEqual(['Story number 2']);
    expect(setup.woken).toEqual([1]);
  });

  it('skips paused feeds, polls a resumed feed at once, and forgets removed ones', async () => {
    const setup = await feedSetup();
    const a = await setup.service.add(setup.server.serve('/a.rss', { body: rss([item(1)]) }));
    const b = await setup.service.add(setup.server.serve('/b.rss', { body: rss([item(1)]) }));
    if (a.status !== 'added' || b.status !== 'added') throw new Error('not added');
    setup.service.start();
    expect(setup.service.pause(a.feed.id)).toMatchObject({ status: 'paused', health: 'paused' });
    expect(setup.service.remove(b.feed.id)).toMatchObject({ id: b.feed.id, url: setup.server.url('/b.rss') });
    expect(setup.service.remove(b.feed.id)).toBeNull();
    await setup.elapse(30 * MINUTE);
    expect(setup.server.hits('/a.rss')).toHaveLength(1);
    expect(setup.server.hits('/b.rss')).toHaveLength(1);

    expect(setup.service.resume(a.feed.id)).toMatchObject({ status: 'active', nextPollAt: setup.clock.now() });
    await setup.elapse(MINUTE);
    expect(setup.server.hits('/a.rss')).toHaveLength(2);
    expect(setup.service.list().map((f) => f.id)).toEqual([a.feed.id]);
    expect(setup.service.pause(999)).toBeNull();
    expect(setup.service.resume(999)).toBeNull();
    expect(await setup.service.pollNow(999)).toBeNull();
  });

  it('does not flood when a removed feed is added again, even with a backfill', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([item(1), item(2)]) });
    const first = await setup.service.add(url);
    if (first.status !== 'added') throw new Error('not added');
    setup.service.remove(first.feed.id);
    const again = await setup.service.add(url, { backfill: 5 });
    if (again.status !== 'added' || again.poll.status !== 'polled') throw new Error('expected a poll');
    expect(again.poll.queued).toHaveLength(0);
    expect(again.poll.skipped).toEqual({ duplicate: 2 });
  });

  it('never gives a new feed the id of a removed one, so its stories are not taken for the old feed\'s', async () => {
    const setup = await feedSetup();
    // Two sites whose GUIDs are bare numbers: "1" means another story on each.
    const first = await setup.service.add(setup.server.serve('/one.rss', { body: rss([item(1, { guid: '1' })]) }));
    if (first.status !== 'added') throw new Error('not added');
    setup.service.remove(first.feed.id);
    const other = rss([item(1, { guid: '1', title: 'Another site, another story', link: 'https://other.example.org/a' })]);
    const second = await setup.service.add(setup.server.serve('/two.rss', { body: other }), { backfill: 1 });
    if (second.status !== 'added' || second.poll.status !== 'polled') throw new Error('expected a poll');
    expect(second.feed.id).toBe(first.feed.id + 1);
    expect(second.poll.queued.map((q) => q.headline)).toEqual(['Another site, another story']);
  });

  it('stop() aborts a hanging fetch and returns at once; the poll is reported abandoned', async () => {
    const setup = await feedSetup();
    const url = setup.server.route('/hang.rss', () => {
      /* never answers */
    });
    const polling = setup.service.add(url, {}, { force: true });
    await settle();
    await setup.service.stop();
    const added = await polling;
    expect(added.status === 'added' && added.poll).toMatchObject({ status: 'abandoned', reason: 'the feed service is stopping' });
    expect(setup.service.list()[0]).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('abandons a poll whose feed is removed while it runs, writing nothing', async () => {
    const setup = await feedSetup();
    let answer: (() => void) | null = null;
    const url = setup.server.route('/slow.rss', (_req, res) => {
      answer = () => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([item(1)]));
    });
    const adding = setup.service.add(url, { backfill: 1 }, { force: true });
    while (!answer) await settle();
    const id = setup.service.list()[0]!.id;
    setup.service.remove(id);
    (answer as () => void)();
    const added = await adding;
    expect(added.status === 'added' && added.poll).toMatchObject({ status: 'abandoned', reason: 'the feed was removed during the poll' });
    expect(setup.articles()).toHaveLength(0);
  });

  it('joins a poll already running instead of starting a second one', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([item(1)]) });
    const added = await setup.service.add(url);
    if (added.status !== 'added') throw new Error('not added');
    const [one, two] = await Promise.all([setup.service.pollNow(added.feed.id), setup.service.pollNow(added.feed.id)]);
    expect(one).toBe(two);
    expect(setup.server.hits('/news.rss')).toHaveLength(2);
  });
});

describe('adding and seeding feeds', () => {
  it('validates settings up front and lists every problem', async () => {
    const setup = await feedSetup();
    await expect(setup.service.add('ftp://example.com/feed')).rejects.toThrow(FeedSettingsError);
    await expect(setup.service.add('not a url')).rejects.toThrow(/is not a URL; it must start with http:\/\/ or https:\/\//);
    const bad = setup.service.add(setup.server.url('/x.rss'), { everyMinutes: 0, backfill: -1, include: [''], priority: 'urgent' as 'normal' });
    await expect(bad).rejects.toThrow(
      'feed settings: priority must be "normal" or "breaking"; every must be at least 1 minute; backfill must be 0 or more; a keyword must not be empty',
    );
    expect(setup.service.list()).toHaveLength(0);
    expect(setup.server.requests).toHaveLength(0);
  });

  it('returns the stored feed when the URL is added again', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/news.rss', { body: rss([item(1)]) });
    const first = await setup.service.add(url, { category: 'Sport', priority: 'breaking', everyMinutes: 2 });
    const second = await setup.service.add(`${url}#again`);
    if (first.status !== 'added' || second.status !== 'exists') throw new Error(`expected added then exists: ${first.status}, ${second.status}`);
    expect(second.feed).toMatchObject({ id: first.feed.id, category: 'Sport', priority: 'breaking', everyMinutes: 2, title: 'Test feed', stories: { seen: 1 } });
  });

  it('seeds feeds from a list without polling them until the poller starts', async () => {
    const setup = await feedSetup();
    const a = setup.server.serve('/a.rss', { body: rss([item(1), item(2)]) });
    const b = setup.server.serve('/b.rss', { body: rss([item(3)]) });
    await setup.service.add(a);
    const seeded = setup.service.seed([a, b, ' ', 'mailto:news@example.com']);
    expect(seeded.added.map((f) => f.url)).toEqual([b]);
    expect(seeded.existing.map((f) => f.url)).toEqual([a]);
    expect(seeded.invalid).toEqual([{ url: 'mailto:news@example.com', error: 'feed URL "mailto:news@example.com" must start with http:// or https://' }]);
    expect(setup.server.hits('/b.rss')).toHaveLength(0);

    setup.service.start();
    await setup.elapse(MINUTE);
    expect(setup.server.hits('/b.rss')).toHaveLength(1);
    expect(setup.articles()).toHaveLength(0); // a seeded feed's first poll only marks its stories seen
    expect(setup.service.list().map((f) => f.health)).toEqual(['ok', 'ok']);
  });

  it('queues breaking stories from a breaking feed with its category', async () => {
    const setup = await feedSetup();
    const url = setup.server.serve('/alerts.rss', { body: rss([item(1)]) });
    await setup.service.add(url, { priority: 'breaking', category: 'Alerts', backfill: 1 });
    expect(setup.articles()[0]).toMatchObject({ priority: 'breaking', category: 'Alerts', status: 'queued' });
  });
});
