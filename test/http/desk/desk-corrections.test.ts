import { describe, expect, it } from 'vitest';
import { formatPost } from '../../../src/articles/format.js';
import { deskClient, deskSetup } from './desk-setup.js';

describe('desk: corrections', () => {
  it('offers Correct on a posted row, prefilled, and corrects through the command core as the editor', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await t.core.run('queue Quake hits Sarawak | Magnitude 6.1 | https://news.example.com/quake', { door: 'cli', id: 'cli:test' });
    await t.core.run('queue Budget explained | https://news.example.com/budget', { door: 'cli', id: 'cli:test' });
    const claim = t.ctx.queue.claimNext(t.clock.now(), t.clock.now(), 'fake', (a) => formatPost(a, t.ctx.format));
    t.ctx.queue.markPosted(claim!.delivery.id, 'fake-msg-1', t.clock.now());

    const page = (await c.get('/queue?status=all')).text;
    expect(page).toContain('action="/articles/1/correct"');
    expect(page).toContain('value="Quake hits Sarawak"');
    expect(page).toContain('>Magnitude 6.1</textarea>');
    expect(page).not.toContain('action="/articles/2/correct"'); // queued, not posted

    const done = await c.post('/articles/1/correct', { headline: 'Quake hits Sabah | not Sarawak', summary: 'Magnitude 6.1', url: 'https://news.example.com/quake', back: '/queue' });
    expect(done).toMatchObject({ status: 303, location: '/queue' });
    expect(t.ctx.queue.get(1)?.headline).toBe('Quake hits Sabah | not Sarawak'); // a "|" stays in the headline
    expect(t.ctx.corrections!.store.ofArticle(1)).toMatchObject([{ status: 'pending', messageId: 'fake-msg-1', previousHeadline: 'Quake hits Sarawak' }]);
    expect((await c.get('/queue')).text).toContain('#1 corrected (version 2)');

    await c.post('/articles/2/correct', { headline: 'Budget 2027 explained', summary: '', url: 'https://news.example.com/budget', back: '/queue' });
    expect((await c.get('/queue')).text).toContain('only a posted article can be corrected');
    const web = t.audit().filter((a) => a.door === 'web' && a.command.startsWith('correct'));
    expect(web.map((a) => a.outcome)).toEqual(['ok', 'rejected']);
  });
});
