import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { createEditions } from '../../src/commands/editions.js';
import { createEditionsStore } from '../../src/store/editions-store.js';
import { commandSetup } from '../helpers/command-setup.js';

/** `template`, `links` and `preview`: their help, how they read their words, and the answers the older tests left out (found by mutation testing). */
const CLI: Actor = { door: 'cli', id: 'cli:editor' };
const SAMPLE = 'Flood waters rise in Kelantan https://news.example.com/floods';
const INVITE = 'https://whatsapp.com/channel/0029VaHarianNews0000000';
/** A template that passes the checks but whose sample is over the 4,096-character limit: 100 invite links. */
const TOO_LONG = `{{headline}}${' {{invite}}'.repeat(100)}`;
const OVER = 'post would be 5329 characters, over the 4096 limit: shorten the headline or link, or the template';

function setup(runtime: Parameters<typeof commandSetup>[0] = {}) {
  const t = commandSetup(runtime);
  const editions = createEditions({ store: createEditionsStore(t.db), format: t.ctx.format, timezone: t.ctx.timezone, channels: ['main'] });
  t.ctx.editions = editions;
  const feed = (id: number, title: string) =>
    t.db.prepare(
      `INSERT INTO feeds (id, url, title, priority, every_minutes, max_per_poll, status, next_poll_at, created_at, updated_at) VALUES (?, ?, ?, 'normal', 5, 10, 'active', 0, 0, 0)`,
    ).run(id, `https://feed${id}.example.com/rss`, title);
  feed(3, 'Harian Metro');
  feed(4, 'Berita');
  const run = (command: string) => t.core.run(command, CLI);
  const templates = () => t.db.prepare('SELECT channel, feed_id AS feedId, template FROM channel_templates ORDER BY feed_id').all();
  return { ...t, editions, run, templates };
}

describe('help for template, links and preview', () => {
  it('gives each usage, what it does and an example', async () => {
    const t = setup();
    expect((await t.run('help template')).text).toBe(
      "template set <channel> [feed=<id>] <text>   ·   template show <channel> [feed=<id>]   ·   template reset <channel> [feed=<id>]\nthe channel's post template: fields {{headline}} {{summary}} {{link}} {{category}} {{source}} {{time}} {{invite}}, optional parts {{#field}}…{{/field}}\nexample: template set main 📰 *{{headline}}*{{#summary}}\n\n{{summary}}{{/summary}}\n\n🔗 {{link}}",
    );
    expect((await t.run('help links')).text).toBe(
      'links <channel> [on|off] [source=<utm_source>] [medium=<utm_medium>] [campaign=<utm_campaign>]\ntracked links: add utm_source, utm_medium and utm_campaign to the posted link (off by default)\nexample: links main on campaign=morning-news',
    );
    expect((await t.run('help preview')).text).toBe(
      "preview [channel=<name>] <headline> | <summary> | <link>   or   preview [channel=<name>] <id>\nshow exactly the text that would be posted, with the channel's template; queues nothing\nexample: preview Flood waters rise | Thousands moved | https://news.example.com/floods",
    );
  });
});

describe('template: reading the words', () => {
  it('takes several spaces between words, and a template after blank lines or with "feed=" inside it', async () => {
    const t = setup();
    expect(await t.run('template show  main')).toMatchObject({ status: 'ok', data: { channel: 'main' } });
    expect(await t.run('template set main \n\n{{headline}}\n{{link}}')).toMatchObject({ status: 'ok', data: { template: '{{headline}}\n{{link}}' } });
    expect(t.editions.store.template('main', null)?.template).toBe('{{headline}}\n{{link}}');
    expect((await t.run('template set main feed=3\n{{headline}} {{link}}')).status).toBe('ok');
    expect((await t.run('template set main {{headline}} feed=4 {{link}}')).status).toBe('ok');
    expect(t.templates()).toEqual([
      { channel: 'main', feedId: 0, template: '{{headline}} feed=4 {{link}}' },
      { channel: 'main', feedId: 3, template: '{{headline}} {{link}}' },
    ]);
  });

  it('the channel follows the action on the same line or the next one, not after a blank line', async () => {
    expect(await setup().run('template show\n\nmain')).toMatchObject({ status: 'invalid', data: { problems: ["needs the channel's short name, e.g. main"] } });
  });

  it('a feed id has up to 12 digits; what is shown of a bad one, a left-over word and an unknown channel is cut short', async () => {
    const t = setup();
    expect(await t.run('template show main feed=123456789012')).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no feed #123456789012. Use "feeds" to see ids.', data: { feedId: 123456789012 } });
    expect(await t.run(`template show main feed=${'x'.repeat(30)}`)).toMatchObject({ data: { problems: [`feed= needs a feed id such as feed=3 (see "feeds"), not "${'x'.repeat(20)}"`] } });
    expect(await t.run('template reset main \n now')).toMatchObject({ data: { problems: ['"template reset" takes only the channel and feed=<id>; "now" is left over'] } });
    expect(await t.run(`template show main ${'word '.repeat(10)}`)).toMatchObject({ data: { problems: [`"template show" takes only the channel and feed=<id>; "${'word '.repeat(6)}" is left over`] } });
    expect(await t.run(`template show ${'c'.repeat(50)}`)).toMatchObject({
      reason: 'not-found',
      text: `There is no channel "${'c'.repeat(40)}": the channels are "main" (NEWSDESK_CHANNEL_NAME names today's).`,
    });
  });
});

describe('template: the sample story', () => {
  it('a template whose sample is over the limit is not saved', async () => {
    const t = setup();
    expect(await t.run(`template set main ${TOO_LONG}`)).toEqual({ status: 'invalid', reason: 'bad-input', text: `Template not saved: ${OVER}`, data: { problems: [OVER] } });
    expect(t.templates()).toEqual([]);
  });

  it('show says when the stored template cannot post the sample', async () => {
    const t = setup();
    t.editions.store.setTemplate('main', null, TOO_LONG, t.clock.now(), CLI.id);
    const shown = await t.run('template show main');
    expect(shown).toMatchObject({ status: 'ok', data: { template: TOO_LONG, origin: 'channel', sample: null } });
    expect(shown.text).toMatch(new RegExp(`\\n\\nWith a sample story:\\n\\n\\(the sample story cannot be posted with it: ${OVER}\\)$`));
  });

  it('the sample names the feed as its source for a feed template, and no source for the channel template', async () => {
    const t = setup();
    expect((await t.run('template set main [{{source}}] {{headline}} {{link}}')).data).toMatchObject({ sample: `[] ${SAMPLE}` });
    expect((await t.run('template set main feed=3 [{{source}}] {{headline}} {{link}}')).data).toMatchObject({ sample: `[Harian Metro] ${SAMPLE}` });
    expect((await t.run('template show main')).data).toMatchObject({ sample: `[] ${SAMPLE}` });
    expect((await t.run('template show main feed=3')).data).toMatchObject({ sample: `[Harian Metro] ${SAMPLE}` });
  });

  it('before WhatsApp gives the channel details, the sample has no invite link', async () => {
    const t = setup({ channelInfo: undefined });
    const noInvite = `Flood waters rise in Kelantan${' '.repeat(100)}`;
    expect(await t.run(`template set main ${TOO_LONG}`)).toMatchObject({ status: 'ok', data: { sample: noInvite } });
    expect((await t.run('template show main')).data).toMatchObject({ sample: noInvite });
    expect((await t.run('preview Quake | https://news.example.com/q')).text).toBe(`Quake${' '.repeat(100)}`);
    const withInvite = setup();
    expect((await withInvite.run('template set main {{headline}} {{invite}}')).data).toMatchObject({ sample: `Flood waters rise in Kelantan ${INVITE}` });
  });

  it('a failure that is not about the story is an error, not a refusal', async () => {
    const t = setup();
    t.ctx.editions = {
      ...t.editions,
      render: () => {
        throw new Error('the template store is locked');
      },
      renderWith: () => () => {
        throw new Error('the template store is locked');
      },
    };
    for (const command of ['template show main', 'template set main {{headline}} {{link}}']) {
      expect(await t.run(command)).toMatchObject({ status: 'error', text: expect.stringContaining('the template store is locked') });
    }
    expect(t.templates()).toEqual([]);
  });
});

describe('template show: feeds with their own template', () => {
  it('the channel lists them all; a feed lists none', async () => {
    const t = setup();
    await t.run('template set main {{headline}} {{link}}');
    await t.run('template set main feed=3 3 {{headline}} {{link}}');
    await t.run('template set main feed=4 4 {{headline}} {{link}}');
    const channel = await t.run('template show main');
    expect(channel.text).toMatch(/\nFeeds with their own template: #3, #4$/);
    expect(channel.data).toMatchObject({ feedsWithTemplates: [3, 4] });
    const feed = await t.run('template show main feed=3');
    expect(feed.data).toMatchObject({ feedsWithTemplates: [] });
    expect(feed.text).not.toMatch(/Feeds with their own template/);
  });
});

describe('links: what is shown of a bad word', () => {
  it('at most 30 characters of an unknown option or a bad value', async () => {
    const t = setup();
    expect(await t.run(`links main ${'k'.repeat(40)}`)).toMatchObject({ data: { problems: [`"${'k'.repeat(30)}" is not an option: use on, off, source=, medium= or campaign=`] } });
    expect(await t.run(`links main source=${'?'.repeat(40)}`)).toMatchObject({ data: { problems: [`source= needs 1 to 64 letters, digits, ".", "-" or "_" (got "${'?'.repeat(30)}")`] } });
  });
});

describe('preview: reading the words', () => {
  it('an id of several digits, after channel= and spaces; "channel=" or a number inside a headline is part of it', async () => {
    const t = setup();
    for (let i = 1; i <= 12; i += 1) t.ctx.queue.enqueue({ headline: `Story ${i}`, url: `https://news.example.com/${i}` }, t.clock.now());
    expect(await t.run('preview 12')).toMatchObject({ status: 'ok', text: '*Story 12*\n\nhttps://news.example.com/12', data: { id: 12 } });
    expect(await t.run('preview channel=main  #12')).toMatchObject({ status: 'ok', data: { id: 12, channel: 'main' } });
    expect(await t.run('preview 13')).toMatchObject({ status: 'invalid', reason: 'not-found', text: 'There is no article #13. Use "list all" to see ids.' });
    expect((await t.run('preview 5 things to know | https://news.example.com/5')).text).toBe('*5 things to know*\n\nhttps://news.example.com/5');
    expect((await t.run('preview Tune in channel=5 | https://news.example.com/tv')).text).toBe('*Tune in channel=5*\n\nhttps://news.example.com/tv');
    expect(await t.run('preview Derby 5')).toMatchObject({ status: 'invalid', data: { problems: ['needs at least a headline and a link separated by |'] } });
  });
});
