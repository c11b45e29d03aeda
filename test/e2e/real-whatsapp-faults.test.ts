import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePage, RealBot, RealSetup } from '../helpers/real-whatsapp.js';
import { about, cleanUp, cliBreaking, cliShow, prepareRealWhatsApp, startAndScan } from '../helpers/real-whatsapp.js';

/**
 * Faults on the channel send path, through the real whatsapp-web.js in Chromium (one bot, one browser).
 * Each article carries its own fault (the switches match the post's text), so the waits overlap: the
 * dispatcher's retry (15-30 s) and its one-minute look at a post still waiting for the server.
 */
/** The dispatcher's lines for a confirmed post: after its own send, or found from an earlier attempt. */
const POSTED = /^(posted|found from an earlier attempt|reconciled: found on the channel)$/;

describe('real whatsapp-web.js: refused, pending, thrown and hung sends', { timeout: 300_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let bot: RealBot;
  let fake: FakePage;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-'));
    setup = await prepareRealWhatsApp(root);
    ({ bot, fake } = await startAndScan(setup));
  }, 90_000);

  afterAll(() => cleanUp({ bot, fake, setup, root }));

  const copies = async (headline: string) => ({
    onChannel: (await fake.call('serverPosts')).filter((p) => p.body.includes(headline)).length,
    inPage: (await fake.call('pagePosts')).filter((p) => p.body.includes(headline)).map((p) => (p.serverId === null ? 'refused' : 'accepted')),
  });

  it('every article ends on the channel exactly once, and a late answer is never sent twice', async () => {
    await fake.call('addSendFault', { kind: 'refuse', match: 'Refused once', times: 1 });
    await fake.call('addSendFault', { kind: 'pending', match: 'Accepted late', times: 1 });
    await fake.call('addSendFault', { kind: 'pending', match: 'Refused late', times: 1 });
    await fake.call('addSendFault', { kind: 'throw', match: 'Thrown once', times: 1 });
    await fake.call('addSendFault', { kind: 'hang', match: 'Hung once', times: 1 });
    await fake.call('addFetchFault', { kind: 'throw', times: 1 }); // the first read-back fails once
    // The held ones first: the one-minute look at a waiting post is the longest wait here.
    const headlines = ['Accepted late', 'Refused late', 'Refused once', 'Thrown once', 'Hung once'];
    const ids = new Map<string, number>();
    for (const [i, h] of headlines.entries()) ids.set(h, await cliBreaking(setup.env(), `${h} | Story ${i} | https://example.com/story-${i}`));

    // The two held posts: the send times out (5 s), the read-back sees them waiting; then the server answers.
    // Which read-back the failing fetch hits depends on timing; when it is a held post's, that post is
    // looked at again only after its back-off (about a minute), so each wait allows two rounds.
    for (const h of ['Accepted late', 'Refused late']) {
      await bot.waitForLine(about(ids.get(h)!, 'an earlier copy is still waiting for the channel; not sending again yet'), `${h} waiting`, 130_000);
    }
    expect(await fake.call('settlePending', 'accept', 'Accepted late')).toBe(1);
    expect(await fake.call('settlePending', 'refuse', 'Refused late')).toBe(1);

    for (const id of ids.values()) await bot.waitForLine(about(id, POSTED), `article ${id} posted`, 120_000);

    expect(await copies('Refused once')).toEqual({ onChannel: 1, inPage: ['refused', 'accepted'] });
    expect(await copies('Accepted late')).toEqual({ onChannel: 1, inPage: ['accepted'] });
    expect(await copies('Refused late')).toEqual({ onChannel: 1, inPage: ['refused', 'accepted'] });
    expect(await copies('Thrown once')).toEqual({ onChannel: 1, inPage: ['accepted'] });
    expect(await copies('Hung once')).toEqual({ onChannel: 1, inPage: ['accepted'] });
    for (const id of ids.values()) expect((await cliShow(setup.env(), id)).article.status).toBe('posted');
    // Its one send returned only once the server answered, long after the attempt had timed out.
    expect(bot.count(about(ids.get('Accepted late')!, 'found from an earlier attempt'))).toBe(1);
  });

  it('a channel the page cannot load: the send fails, nothing is posted twice, posting resumes once it loads', async () => {
    await fake.call('setChannelMissing', true);
    const id = await cliBreaking(setup.env(), 'While the channel is missing | Held | https://example.com/missing');
    await bot.waitForLine(about(id, 'attempt failed; will retry'), 'the failed attempt', 30_000);
    await fake.call('setChannelMissing', false);
    await bot.waitForLine(about(id, POSTED), 'posted after the channel loads', 60_000);
    expect(await copies('While the channel is missing')).toEqual({ onChannel: 1, inPage: ['accepted'] });
  });
});
