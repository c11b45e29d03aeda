import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { createWebhookStore } from '../../src/store/webhook-store.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

const CLI = { door: 'cli' as const, id: 'cli:editor' };

/** The command core over a real database, with the editions (templates, tracked links) the bot and CLI get. */
function setup(webhookUrls: string[] = []) {
  const t = commandSetup();
  const editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
  t.ctx.editions = editions;
  t.ctx.webhooks = { store: createWebhookStore(t.db), urls: webhookUrls };
  const written = () => ({
    ...t.snapshot(),
    templates: t.db.prepare('SELECT * FROM channel_templates').all(),
    links: t.db.prepare('SELECT * FROM channel_links').all(),
  });
  /** What the posting loop would post for article `id` now (app.ts renders the same way). */
  const posted = (id: number) => editions.render(t.ctx.queue.get(id)!, 'main', t.clock.now(), 'https://whatsapp.com/channel/0029VaHarianNews0000000');
  return { ...t, editions, written, posted };
}

const HOUSE = '📰 *{{headline}}*{{#category}} · _{{category}}_{{/category}}{{#summary}}\n\n{{summary}}{{/summary}}\n\n🔗 {{link}}\n{{time}} · Follow: {{invite}}';

describe('template commands', () => {
  it('template set stores a checked template, shows a sample, and posts and previews use it', async () => {
    const t = setup();
    const set = await t.core.run(`template set main ${HOUSE}`, ADMIN);
    expect(set.status).toBe('ok');
    expect(set.text).toBe(
      'Template for channel main saved. A post now looks like this:\n\n📰 *Flood waters rise in Kelantan* · _Nation_\n\nThousands have been moved to relief centres as rivers burst their banks overnight.\n\n🔗 https://news.example.com/floods\n20:00 · Follow: https://whatsapp.com/channel/0029VaHarianNews0000000',
    );
    expect(t.db.prepare('SELECT channel, feed_id, template, updated_by FROM channel_templates').all()).toEqual([
      { channel: 'main', feed_id: 0, template: HOUSE, updated_by: 'admin:+60123456789' },
    ]);

    const queued = await t.core.run('queue Price *rise* | Fuel _up_ again | https://news.example.com/fuel', CLI);
    const id = (queued.data.article as { id: number }).id;
    const expected = '📰 *Price ∗rise∗*\n\nFuel ˍupˍ again\n\n🔗 https://news.example.com/fuel\n20:00 · Follow: https://whatsapp.com/channel/0029VaHarianNews0000000';
    expect(t.posted(id)).toBe(expected);
    expect((await t.core.run(`preview ${id}`, ADMIN)).text).toBe(expected);
    expect((await t.core.run(`preview channel=main ${id}`, ADMIN)).data).toEqual({ id, text: expected, channel: 'main' });
    expect((await t.core.run('preview Quake | https://news.example.com/q', ADMIN)).text).toBe(
      '📰 *Quake*\n\n🔗 https://news.example.com/q\n20:00 · Follow: https://whatsapp.com/channel/0029VaHarianNews0000000',
    );

    const shown = await t.core.run('template show main', ADMIN);
    expect(shown.text).toMatch(/^Template for channel main \(set by admin:\+60123456789 20:00\):\n📰 \*\{\{headline\}\}\*/);
    expect(shown.data).toMatchObject({ channel: 'main', template: HOUSE, origin: 'channel' });

    const reset = await t.core.run('template reset main', ADMIN);
    expect(reset.text).toBe('Template for channel main removed: the default template applies again.');
    expect(t.posted(id)).toBe(formatPost(t.ctx.queue.get(id)!, t.ctx.format));
    expect((await t.core.run('template show main', ADMIN)).data).toMatchObject({ origin: 'default', template: '*{{headline}}*{{#summary}}\n\n{{summary}}{{/summary}}\n\n{{link}}' });
  });

  it('a feed may have its own template; its articles use it, the rest the channel template', async () => {
    const t = setup();
    t.db.prepare(
      `INSERT INTO feeds (id, url, title, priority, every_minutes, max_per_poll, status, next_poll_at, created_at, updated_at) VALUES (3, 'https://metro.example.com/rss', 'Harian Metro', 'normal', 5, 10, 'active', 0, 0, 0)`,
    ).run();
    expect((await t.core.run('template set main feed=3 {{source}}: *{{headline}}* {{link}}', ADMIN)).status).toBe('ok');
    const fromFeed = t.ctx.queue.enqueue({ headline: 'From the feed', url: 'https://metro.example.com/a', source: 'feed:3' }, t.clock.now()).article;
    const byHand = t.ctx.queue.enqueue({ headline: 'By hand', url: 'https://news.example.com/b', source: 'cli' }, t.clock.now()).article;
    expect(t.posted(fromFeed.id)).toBe('Harian Metro: *From the feed* https://metro.example.com/a');
    expect(t.posted(byHand.id)).toBe('*By hand*\n\nhttps://news.example.com/b');
    expect((await t.core.run('template show main', ADMIN)).text).toMatch(/Feeds with their own template: #3$/);
    expect((await t.core.run('template show main feed=3', ADMIN)).data).toMatchObject({ origin: 'feed', feedId: 3 });
  });

  it.each([
    ['an unknown field, with its position', 'template set main *{{headline}}*\n{{link}} {{imgae}}', /Template not saved: "imgae" is not a field.*\(line 2, column 10\)/s],
    ['unbalanced markup, with its position', 'template set main *{{headline}} {{link}}', /Template not saved: "\*" opened at line 1, column 1 is never closed/],
    ['a section left open', 'template set main {{#summary}}*{{headline}}*', /the section \{\{#summary\}\} is never closed/],
    ['a template that leaves no room', `template set main *{{headline}}* ${'x'.repeat(1_990)} {{link}} {{link}}`, /at most 2000|over the 4096 limit/],
    ['an unknown channel', 'template set sport *{{headline}}*', /There is no channel "sport": the channels are "main"/],
    ['an unknown feed', 'template set main feed=9 *{{headline}}*', /There is no feed #9/],
    ['a bad feed id', 'template set main feed=x *{{headline}}*', /feed= needs a feed id/],
    ['no text', 'template set main', /needs the template text/],
    ['no action', 'template', /needs an action/],
    ['an unknown action', 'template drop main', /"drop" is not a template action/],
    ['words after show', 'template show main please', /takes only the channel/],
    ['links with a bad value', 'links main on source=what?ever', /source= needs 1 to 64 letters/],
    ['links with an unknown option', 'links main colour=red', /"colour=red" is not an option/],
    ['links for an unknown channel', 'links sport on', /There is no channel "sport"/],
    ['preview on an unknown channel', 'preview channel=sport 1', /There is no channel "sport"/],
  ])('refuses %s, writing nothing', async (_name, command, message) => {
    const t = setup();
    const before = t.written();
    const result = await t.core.run(command, ADMIN);
    expect(result.status).toBe('invalid');
    expect(result.text).toMatch(message);
    const after = t.written();
    expect({ ...after, settings: undefined }).toEqual({ ...before, settings: undefined });
  });

  it('takes the template on the lines after the command, as an editor writes it in WhatsApp', async () => {
    const t = setup();
    const result = await t.core.run('template set main\n🗞️ *{{headline}}*\n\n{{link}}\n', ADMIN);
    expect(result.status).toBe('ok');
    expect(t.editions.store.template('main', null)?.template).toBe('🗞️ *{{headline}}*\n\n{{link}}');
    expect(result.text).toMatch(/A post now looks like this:\n\n🗞️ \*Flood waters rise in Kelantan\*\n\nhttps:\/\/news\.example\.com\/floods$/);
  });

  it('help lists the new commands with usage and example', async () => {
    const t = setup();
    const help = await t.core.run('help template', ADMIN);
    expect(help.text).toMatch(/^template set <channel> \[feed=<id>\] <text>/);
    for (const name of ['template', 'links', 'webhooks', 'preview']) expect(t.core.has(name)).toBe(true);
  });
});

describe('tracked links', () => {
  it('are off by default; when on, the posted link carries UTM while the stored link, its canonical form and dedupe stay as they were', async () => {
    const t = setup();
    const url = 'https://news.example.com/floods?id=7&q=a%20b#top';
    const { article } = t.ctx.queue.enqueue({ headline: 'Floods', url }, t.clock.now());
    expect(t.posted(article.id)).toBe(`*Floods*\n\n${url}`); // off by default
    expect((await t.core.run('links main', ADMIN)).text).toMatch(/^Tracked links are off for main/);

    const on = await t.core.run('links main on', ADMIN);
    expect(on.text).toMatch(/^Saved\. Tracked links are on for main: utm_source=whatsapp utm_medium=channel utm_campaign=main\./);
    const tracked = 'https://news.example.com/floods?id=7&q=a%20b&utm_source=whatsapp&utm_medium=channel&utm_campaign=main#top';
    expect(t.posted(article.id)).toBe(`*Floods*\n\n${tracked}`);
    expect((await t.core.run(`preview ${article.id}`, ADMIN)).text).toBe(`*Floods*\n\n${tracked}`);

    const stored = t.ctx.queue.get(article.id)!;
    expect(stored.url).toBe(url);
    expect(stored.canonicalUrl).toBe(article.canonicalUrl);
    expect(stored.canonicalUrl).not.toContain('utm_');
    // The tracked form is still the same story: queueing it finds the existing article.
    expect(t.ctx.queue.enqueue({ headline: 'Floods again', url: tracked }, t.clock.now())).toMatchObject({ outcome: 'existing', article: { id: article.id } });

    await t.core.run('links main campaign=evening source=wa medium=newsletter', ADMIN);
    expect(t.posted(article.id)).toContain('utm_source=wa&utm_medium=newsletter&utm_campaign=evening#top');
    const existing = 'https://news.example.com/x?utm_source=rss&utm_campaign=old&keep=1';
    const second = t.ctx.queue.enqueue({ headline: 'X', url: existing }, t.clock.now()).article;
    expect(t.posted(second.id)).toBe('*X*\n\nhttps://news.example.com/x?keep=1&utm_source=wa&utm_medium=newsletter&utm_campaign=evening');

    await t.core.run('links main off', ADMIN);
    expect(t.posted(article.id)).toBe(`*Floods*\n\n${url}`);
  });
});

describe('webhooks command', () => {
  it('lists deliveries with outcome, status and next try, and never shows a URL query', async () => {
    const t = setup(['https://hooks.example.com/newsdesk?token=secret']);
    const store = t.ctx.webhooks!.store;
    store.record({ event: 'posted', eventId: 'posted:1', body: '{}', articleId: 12, channel: 'main', messageId: 'm1' }, ['https://hooks.example.com/newsdesk?token=secret'], t.clock.now());
    const [row] = store.recent(1);
    store.markFailed(row!.id, { status: 500, error: 'the receiver answered HTTP 500' }, t.clock.now(), t.clock.now() + 30_000);
    const result = await t.core.run('webhooks', ADMIN);
    expect(result.text).toBe(
      'Webhooks: hooks.example.com/newsdesk · 0 delivered, 1 pending, 0 failed\n20:00 posted #12 on main → hooks.example.com/newsdesk: retrying at 20:00 after 1 try: the receiver answered HTTP 500',
    );
    expect(JSON.stringify(result.data)).not.toContain('secret');
    await expect(setup().core.run('webhooks', ADMIN)).resolves.toMatchObject({ text: 'No webhooks are set (NEWSDESK_WEBHOOKS).\nNo webhook deliveries yet.' });
  });
});
