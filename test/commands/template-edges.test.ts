import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/** `template show/reset/set` in the states the older tests left out (found by mutation testing). */
const CLI: Actor = { door: 'cli', id: 'cli:editor' };
const DEFAULT = '*{{headline}}*{{#summary}}\n\n{{summary}}{{/summary}}\n\n{{link}}';
const SAMPLE = '*Flood waters rise in Kelantan*\n\nThousands have been moved to relief centres as rivers burst their banks overnight.\n\nhttps://news.example.com/floods';

function setup() {
  const t = commandSetup();
  t.ctx.editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
  t.db.prepare(
    `INSERT INTO feeds (id, url, title, priority, every_minutes, max_per_poll, status, next_poll_at, created_at, updated_at) VALUES (3, 'https://metro.example.com/rss', 'Harian Metro', 'normal', 5, 10, 'active', 0, 0, 0)`,
  ).run();
  const run = (command: string) => t.core.run(command, CLI);
  return { ...t, run };
}

describe('template show', () => {
  it('the default, in full, with the sample story', async () => {
    const t = setup();
    expect(await t.run('template show main')).toEqual({
      status: 'ok',
      text: `Template for channel main (the default (today's format)):\n${DEFAULT}\n\nWith a sample story:\n\n${SAMPLE}`,
      data: { channel: 'main', feedId: null, template: DEFAULT, origin: 'default', sample: SAMPLE, feedsWithTemplates: [] },
    });
  });

  it('a feed without its own template: the channel template applies, or the default', async () => {
    const t = setup();
    expect(await t.run('template show main feed=3')).toMatchObject({
      text: expect.stringMatching(/^Template for feed #3 on channel main \(none of its own: the default applies\):\n/),
      data: { feedId: 3, origin: 'default', template: DEFAULT, feedsWithTemplates: [] },
    });
    await t.run('template set main 📰 {{headline}} {{link}}');
    expect(await t.run('template show main feed=#3')).toMatchObject({
      text: expect.stringMatching(/^Template for feed #3 on channel main \(none of its own: the channel's template applies\):\n📰 \{\{headline\}\} \{\{link\}\}\n/),
      data: { origin: 'channel', template: '📰 {{headline}} {{link}}' },
    });
    await t.run('template set main feed=3 🚇 {{headline}} {{link}}');
    expect(await t.run('template show main FEED=3')).toMatchObject({ data: { origin: 'feed', template: '🚇 {{headline}} {{link}}', sample: '🚇 Flood waters rise in Kelantan https://news.example.com/floods' } });
  });

  it('a stored template that no longer passes the checks is flagged, and the sample says it cannot be posted', async () => {
    const t = setup();
    await t.run('template set main {{headline}} {{link}}');
    t.db.prepare(`UPDATE channel_templates SET template = '{{headline}} {{nope}}'`).run();
    const shown = await t.run('template show main');
    expect(shown.text).toMatch(/^Template for channel main \(set by cli:editor 20:00\):\n⚠️ The stored template no longer passes the checks \(.+\): posts use the default until it is set again\.\n\{\{headline\}\} \{\{nope\}\}\n/);
    expect(shown.data).toMatchObject({ template: '{{headline}} {{nope}}', origin: 'channel', sample: SAMPLE });
  });
});

describe('template reset and set', () => {
  it('reset says whether there was a template, for a channel and for a feed', async () => {
    const t = setup();
    expect(await t.run('template reset main')).toEqual({
      status: 'ok',
      text: 'Channel main had no template of its own: the default template applies.',
      data: { channel: 'main', feedId: null, removed: false },
    });
    expect((await t.run('template reset main feed=3')).text).toBe("Feed #3 on channel main had no template of its own: the channel's template applies.");
    await t.run('template set main feed=3 {{headline}} {{link}}');
    expect(await t.run('template reset main feed=3')).toMatchObject({ text: "Template for feed #3 on channel main removed: the channel's template applies again.", data: { feedId: 3, removed: true } });
  });

  it('set answers with the sample and data; a template error names its position', async () => {
    const t = setup();
    expect(await t.run('template set main feed=3 {{headline}} {{link}}')).toEqual({
      status: 'ok',
      text: 'Template for feed #3 on channel main saved. A post now looks like this:\n\nFlood waters rise in Kelantan https://news.example.com/floods',
      data: { channel: 'main', feedId: 3, template: '{{headline}} {{link}}', sample: 'Flood waters rise in Kelantan https://news.example.com/floods' },
    });
    const bad = await t.run('template set main {{headline}} {{nope}}');
    expect(bad).toMatchObject({ status: 'invalid', data: { position: { line: 1, column: 14 }, problems: [expect.stringContaining('"nope"')] } });
    expect(bad.text).toMatch(/^Template not saved: .+\.\nusage: template set <channel>/);
  });

  it.each([
    ['template set', "needs the channel's short name, e.g. main"],
    ['template set main feed=12345678901234 {{headline}}', 'feed= needs a feed id such as feed=3 (see "feeds"), not "12345678901234"'],
    ['template reset main feed=3 now', '"template reset" takes only the channel and feed=<id>; "now" is left over'],
    ['template publish-everything-now main', '"publish-everything-n" is not a template action: use set, show or reset'],
  ])('%s is refused: %s', async (command, problem) => {
    expect(await setup().run(command)).toMatchObject({ status: 'invalid', data: { problems: [problem] } });
  });

  it('an upper-case action and a template on a new line are read', async () => {
    const t = setup();
    expect((await t.run('template SET main\n{{headline}}\n{{link}}')).status).toBe('ok');
    expect(t.ctx.editions!.store.template('main', null)?.template).toBe('{{headline}}\n{{link}}');
    expect((await t.run('template show\tmain')).status).toBe('ok');
  });

  it('without editions, templates are not available', async () => {
    expect(await commandSetup().core.run('template show main', CLI)).toMatchObject({ status: 'invalid', text: 'Templates and tracked links are not available here.' });
  });
});
