import { describe, expect, it } from 'vitest';
import { startFeedServer } from '../feeds/support/feed-server.js';
import { item, rss } from '../feeds/support/feed-setup.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/** The feed commands through the one command core, against a real HTTP server on port 0. */
describe('feed commands', () => {
  it('feed add polls at once, queues only the backfill, and feeds lists the feed with its state', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/world.rss', { body: rss([1, 2, 3, 4, 5].map((n) => item(n))) });
    const added = await t.core.run(`feed add ${url} category=World_News backfill=2 every=10`, ADMIN);
    expect(added.status).toBe('ok');
    expect(added.text).toMatch(/^Added feed #1 \(Test feed\), polled every 10 min\.\nFirst poll: 5 items: 2 queued, 0 already known, 3 skipped \(3 seen-on-first-poll\)\./);
    const queued = t.ctx.reports.list('queued', 10, t.clock.now());
    expect(queued.map((a) => a.headline).sort()).toEqual(['Story number 4', 'Story number 5']);
    expect(queued[0]).toMatchObject({ category: 'World News', source: 'feed:1' });
    expect(t.wakes()).toBeGreaterThan(0);

    const listed = await t.core.run('feeds', ADMIN);
    expect(listed.text).toMatch(/^#1 Test feed · every 10 min · category World News · last ok 20:00 · next 20:10$/);
  });

  it('feed poll reports what a new poll queued and skipped; pause, resume and remove say what they did', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/news.rss', { body: rss([item(1), item(2)]) });
    await t.core.run(`feed add ${url}`, ADMIN);
    server.serve('/news.rss', { body: rss([item(1), item(2), item(3), item(3, { guid: 'story-3-again' })]) });
    const polled = await t.core.run('feed poll 1', ADMIN);
    expect(polled.text).toMatch(/^4 items: 1 queued, 2 already known, 1 skipped \(1 duplicate\)\.\n {2}#1 Story number 3$/);
    expect((await t.core.run('feed pause 1', ADMIN)).text).toBe('Paused feed #1 (Test feed).');
    expect((await t.core.run('feeds', ADMIN)).text).toMatch(/· paused$/);
    expect((await t.core.run('feed resume #1', ADMIN)).text).toBe('Resumed feed #1 (Test feed).');
    expect((await t.core.run('feed remove 1', ADMIN)).text).toBe('Removed feed #1 (Test feed).');
    expect((await t.core.run('feeds', ADMIN)).text).toBe('No feeds yet. Add one with "feed add <url>".');
  });

  it('adds a feed whose first poll fails only with force, shows the error, and backs off', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/down.rss', { body: 'oops', status: 500, contentType: 'text/plain' });
    const refused = await t.core.run(`feed add ${url}`, ADMIN);
    expect(refused).toMatchObject({ status: 'invalid', text: expect.stringMatching(/^Not added: .*answered HTTP 500.*\n.*feed add .* force/s) });
    expect(t.db.prepare('SELECT * FROM feeds').all()).toEqual([]);
    const added = await t.core.run(`feed add ${url} force`, ADMIN);
    expect(added.status).toBe('ok');
    expect(added.text).toMatch(/First poll: The poll failed \(http-status\): .*answered HTTP 500.*Next try 20:05\./);
    expect((await t.core.run('feeds', ADMIN)).text).toMatch(/failing ×1: .*500.* · next try 20:05/);
  });

  it.each([
    ['no action', 'feed', /is not a feed action|needs/],
    ['unknown action', 'feed launch 1', /"launch" is not a feed action/],
    ['add without url', 'feed add', /needs the feed's URL/],
    ['not http', 'feed add ftp://example.com/rss', /http/],
    ['unknown option', 'feed add https://example.com/rss colour=red', /"colour=red" is not an option/],
    ['bad number', 'feed add https://example.com/rss every=often', /every= needs a whole number/],
    ['bad priority', 'feed add https://example.com/rss priority=urgent', /priority must be "normal" or "breaking"/],
    ['every out of range', 'feed add https://example.com/rss every=0', /every must be at least 1 minute/],
    ['unknown id', 'feed poll 9', /There is no feed #9/],
    ['id not a number', 'feed remove abc', /needs a feed id/],
  ])('refuses %s and writes nothing', async (_name, command, message) => {
    const t = commandSetup();
    const before = JSON.stringify(t.db.prepare('SELECT * FROM feeds').all());
    const result = await t.core.run(command, ADMIN);
    expect(result.status).toBe('invalid');
    expect(result.text).toMatch(message);
    expect(JSON.stringify(t.db.prepare('SELECT * FROM feeds').all())).toBe(before);
  });

  it('refuses to add the same feed twice', async () => {
    const t = commandSetup();
    const server = await startFeedServer();
    const url = server.serve('/a.rss', { body: rss([item(1)]) });
    await t.core.run(`feed add ${url}`, ADMIN);
    expect(await t.core.run(`feed add ${url}`, ADMIN)).toMatchObject({ status: 'invalid', reason: 'conflict', text: 'That feed is already #1.' });
  });
});
