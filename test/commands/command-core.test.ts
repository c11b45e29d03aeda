import { describe, expect, it } from 'vitest';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

const URL1 = 'https://news.example.com/floods';

describe('command core: success replies', () => {
  it.each([
    ['queue', `queue Floods rise | Thousands moved | ${URL1}`, /^Queued #1: goes out at the next scheduled release/, { priority: 'normal', summary: 'Thousands moved' }],
    ['queue without summary', `queue Floods rise | ${URL1}`, /^Queued #1/, { summary: '' }],
    ['queue with | in the summary', `queue Floods | Rivers | roads closed | ${URL1}`, /^Queued #1/, { summary: 'Rivers | roads closed' }],
    ['breaking', `breaking Quake hits Sabah | M6.1 | ${URL1}`, /^Queued #1 ⚡ BREAKING: goes out as soon as pacing allows/, { priority: 'breaking' }],
    ['upper-case command', `QUEUE Floods rise | ${URL1}`, /^Queued #1/, {}],
    ['schedule +45m', `schedule +45m Budget explained | What changes | ${URL1}`, /^Scheduled #1: goes out at 20:45/, { timed: true }],
    ['schedule 18:30', `schedule 18:30 Budget explained | ${URL1}`, /^Scheduled #1: goes out at Fri 27 Nov 18:30 \(Asia\/Kuala_Lumpur\)/, { timed: true }],
  ])('%s', async (_name, command, reply, fields) => {
    const t = commandSetup();
    const result = await t.core.run(command, ADMIN);
    expect(result.status).toBe('ok');
    expect(result.text).toMatch(reply);
    expect(t.ctx.queue.get(1)).toMatchObject({ source: ADMIN.id, status: 'queued', ...fields });
    expect(t.wakes()).toBe(1);
  });

  it('queue of a known link returns the existing article and writes nothing new', async () => {
    const t = commandSetup();
    await t.core.run(`queue Floods rise | ${URL1}`, ADMIN);
    const result = await t.core.run(`breaking Other words | ${URL1}?utm_source=wa`, ADMIN);
    expect(result).toMatchObject({ status: 'ok', data: { outcome: 'existing', article: { id: 1, priority: 'normal' } } });
    expect(result.text).toMatch(/Already known as #1/);
  });

  it('preview shows the exact post text and queues nothing', async () => {
    const t = commandSetup();
    const result = await t.core.run(`preview Floods *rise* | Thousands moved | ${URL1}`, ADMIN);
    expect(result.status).toBe('ok');
    expect(result.text).toBe(`*Floods ∗rise∗*\n\nThousands moved\n\n${URL1}`);
    expect(t.snapshot().articles).toEqual([]);
    await t.core.run(`breaking Quake | ${URL1}`, ADMIN);
    expect((await t.core.run('preview 1', ADMIN)).text).toBe(`*🔴 BREAKING: Quake*\n\n${URL1}`);
  });

  it('list, show and log describe articles and their attempts', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}/1`, ADMIN);
    await t.core.run(`schedule +2h Two | ${URL1}/2`, ADMIN);
    expect((await t.core.run('list', ADMIN)).text).toBe('queued (1):\n#1 queued · One');
    expect((await t.core.run('list scheduled', ADMIN)).text).toMatch(/^scheduled \(1\):\n#2 scheduled for 22:00 · Two$/);
    expect((await t.core.run('list all 1', ADMIN)).data.articles).toHaveLength(1);
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', () => 'text');
    if (claim?.kind !== 'claimed') throw new Error('no claim');
    t.ctx.queue.markPosted(claim.delivery.id, 'wamid.1', t.clock.now() + 1500);
    const shown = await t.core.run('show #1', ADMIN);
    expect(shown.text).toContain('#1 posted 20:00 · One');
    expect(shown.text).toContain('1. 20:00 posted · wamid.1');
    expect((await t.core.run('log', ADMIN)).text).toBe('20:00 #1 try 1 posted (1.5 s) wamid.1');
  });

  it('cancel, retry, pause and resume change state and say so', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}`, ADMIN);
    expect((await t.core.run('cancel 1', ADMIN))).toMatchObject({ status: 'ok', text: 'Cancelled #1. It will not be posted.' });
    expect(t.ctx.queue.get(1)?.status).toBe('cancelled');
    t.db.prepare(`UPDATE articles SET status = 'failed'`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'failed'`).run(); // its channel row too
    expect((await t.core.run('retry 1', ADMIN)).text).toBe('#1 is back in the queue with fresh attempts.');
    expect(t.ctx.queue.get(1)).toMatchObject({ status: 'queued', attempts: 0 });
    expect((await t.core.run('pause', ADMIN)).text).toMatch(/^Paused/);
    expect(t.ctx.settings.isPaused()).toBe(true);
    expect((await t.core.run('status', ADMIN)).text).toContain('Posting: PAUSED');
    expect((await t.core.run('resume', ADMIN)).text).toBe('Resumed: posting goes on.');
    expect(t.ctx.settings.isPaused()).toBe(false);
  });

  it('status reports connection, counts, last and next post', async () => {
    const t = commandSetup();
    await t.core.run(`breaking Quake | ${URL1}`, ADMIN);
    const status = await t.core.run('status', ADMIN);
    expect(status.text).toBe(
      [
        'WhatsApp: ready',
        'Posting: on',
        'Queue: 1 queued, 0 scheduled, 0 posting, 0 posted, 0 failed, 0 cancelled',
        'Last post: none yet',
        'Next: #1 ⚡ queued · Quake',
      ].join('\n'),
    );
    expect(status.data).toMatchObject({ running: true, paused: false, counts: { queued: 1 } });
  });

  it('status says why posting waits and until when', async () => {
    const t = commandSetup({ waiting: { reason: 'quiet hours', until: Date.UTC(2026, 10, 26, 23, 0), breakingMayGo: true } });
    expect((await t.core.run('status', ADMIN)).text).toContain('Posting: waiting: quiet hours until Fri 27 Nov 07:00 (Asia/Kuala_Lumpur) (breaking news still goes out)');
  });

  it('status says when the bot is not running', async () => {
    const t = commandSetup({ running: false, channel: null, heartbeatAt: null });
    expect((await t.core.run('status', ADMIN)).text).toMatch(/^WhatsApp: bot not running/);
  });

  it('channel, help and audit answer', async () => {
    const t = commandSetup();
    expect((await t.core.run('channel', ADMIN)).text).toBe('Harian News\nid: 120363000000000001@newsletter\nlink: https://whatsapp.com/channel/0029VaHarianNews0000000');
    const help = await t.core.run('help', ADMIN);
    for (const name of ['queue', 'breaking', 'schedule', 'preview', 'list', 'show', 'cancel', 'retry', 'pause', 'resume', 'status', 'log', 'channel', 'help', 'audit']) {
      expect(help.text.split('\n').filter((line) => line.startsWith(`• ${name} `))).toHaveLength(1);
    }
    expect((await t.core.run('help schedule', ADMIN)).text).toMatch(/^schedule <when> \[image=<url>\] \[channel=<names>\] <headline> \| <summary> \| <link>\n.*\nexample: schedule 18:30/);
    const audit = await t.core.run('audit 5', ADMIN);
    expect(audit.text.split('\n')).toHaveLength(3); // channel, help, help schedule
    expect(audit.text).toContain('whatsapp admin:+60123456789 ok: help schedule');
  });
});

describe('command core: bad input writes nothing and says what was wrong', () => {
  it.each([
    ['unknown command', 'publish now', /Unknown command "publish"/],
    ['empty message', '   ', /Send a command/],
    ['missing | part', 'queue Just a headline', /needs at least a headline and a link separated by \|/],
    ['empty headline', `queue  | summary | ${URL1}`, /headline must not be empty/],
    ['non-http link', 'queue Hi | javascript:alert(1)', /url must be a web link starting with http:\/\/ or https:\/\//],
    ['ftp link', 'breaking Hi | ftp://example.com/x', /http:\/\/ or https:\/\//],
    ['headline over the limit', `queue ${'x'.repeat(201)} | ${URL1}`, /headline must be at most 200 characters/],
    ['time in the past', `schedule 2020-01-01T08:00 Old | ${URL1}`, /is in the past/],
    ['unreadable time', `schedule soonish Old | ${URL1}`, /cannot read the time "soonish"/],
    ['schedule without article', 'schedule 18:30', /needs at least a headline and a link/],
    ['id that does not exist', 'cancel 999', /There is no article #999/],
    ['show unknown id', 'show 42', /There is no article #42/],
    ['retry unknown id', 'retry 7', /There is no article #7/],
    ['id that is not a number', 'cancel abc', /needs an article id such as 12 or #12/],
    ['list bad status', 'list everything', /"everything" is neither a status/],
    ['list bad count', 'list 0', /at least 1/],
    ['log huge count', 'log 100000', /count must be a number from 1 to 100|at most 100/],
    ['pause with arguments', 'pause now please', /takes no arguments/],
    ['help for unknown command', 'help fly', /There is no command "fly"/],
    ['10,000 characters', `queue ${'é'.repeat(10_000)} | ${URL1}`, /headline must be at most 200 characters/],
    ['over the length limit', `queue ${'a'.repeat(13_000)}`, /commands may be at most 12000/],
  ])('%s', async (_name, command, message) => {
    const t = commandSetup();
    const before = t.snapshot();
    const result = await t.core.run(command, ADMIN);
    expect(result.status).toBe('invalid');
    expect(result.text).toMatch(message);
    expect(t.snapshot()).toEqual(before);
    expect(t.wakes()).toBe(0);
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ outcome: 'rejected', door: 'whatsapp', actor: ADMIN.id });
  });

  it('shows the usage line with a validation problem', async () => {
    const t = commandSetup();
    expect((await t.core.run('queue Only', ADMIN)).text).toMatch(/usage: queue \[image=<url>\] \[channel=<names>\] <headline> \| <summary> \| <link>/);
  });

  it('refuses to cancel a posted article and says why', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}`, ADMIN);
    t.db.prepare(`UPDATE articles SET status = 'posted', posted_at = 1`).run();
    t.db.prepare(`UPDATE article_channels SET status = 'posted'`).run(); // its channel row too
    const before = t.snapshot();
    const result = await t.core.run('cancel 1', ADMIN);
    expect(result).toMatchObject({ status: 'invalid', text: '#1 cannot be cancelled: it is already posted (delete it in WhatsApp if it must go).' });
    expect(t.snapshot()).toEqual(before);
  });

  it('refuses to retry an article that did not fail', async () => {
    const t = commandSetup();
    await t.core.run(`queue One | ${URL1}`, ADMIN);
    expect((await t.core.run('retry 1', ADMIN)).text).toBe('#1 is queued, not failed: only failed articles can be retried.');
  });

  it('stores hostile-looking text verbatim and formats it safely', async () => {
    const t = commandSetup();
    const headline = `'); DROP TABLE articles;-- *x* _y_ ‏مرحبا 🇲🇾 "q"`;
    expect((await t.core.run(`queue ${headline} | ${URL1}`, ADMIN)).status).toBe('ok');
    expect(t.ctx.queue.get(1)?.headline).toBe(headline);
    const preview = (await t.core.run('preview 1', ADMIN)).text;
    expect(preview.split('\n')[0]).toMatch(/^\*[^*]+\*$/);
  });

  it('turns an unexpected failure into an error reply, logged and audited, without throwing', async () => {
    const t = commandSetup();
    t.db.close();
    const result = await t.core.run('status', ADMIN);
    expect(result.status).toBe('error');
    expect(result.text).toMatch(/"status" failed: .*Nothing was changed/);
    expect(t.entries.some((e) => e.level === 'error' && e.msg === 'command failed')).toBe(true);
  });
});
