import { describe, expect, it } from 'vitest';
import { deskClient, deskSetup } from './desk-setup.js';

describe('desk: an article on several channels', () => {
  it('the queue page shows each channel\'s delivery with its message id; one channel shows none', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    const cli = { door: 'cli' as const, id: 'cli:test' };
    expect((await t.core.run('channel add 120363000000000077@newsletter name=sport', cli)).status).toBe('ok');
    await t.core.run('queue channel=main,sport Derby tonight | https://news.example.com/derby', cli);
    await t.core.run('queue channel=main Rain | https://news.example.com/rain', cli);
    const now = t.clock.now();
    const claim = t.ctx.queue.claimNext(now, now, { normal: ['sport'], breakingOnly: [] }, () => 'Derby tonight')!;
    t.ctx.queue.markPosted(claim.delivery.id, 'sport-msg-1', now);

    const page = (await c.get('/queue?status=all')).text;
    const derby = page.slice(page.indexOf('id="article-1"'), page.indexOf('</article>', page.indexOf('id="article-1"')));
    expect(derby).toContain('<span class="channel-name">main</span> <span class="badge badge-queued">queued</span>');
    expect(derby).toContain('<span class="channel-name">sport</span> <span class="badge badge-posted">posted</span> <code class="message-id">sport-msg-1</code>');
    const rain = page.slice(page.indexOf('id="article-2"'), page.indexOf('</article>', page.indexOf('id="article-2"')));
    expect(rain).not.toContain('class="channels"');
  });
});
