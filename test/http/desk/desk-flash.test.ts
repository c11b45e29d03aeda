import { describe, expect, it } from 'vitest';
import { deskClient, deskSetup } from './desk-setup.js';

describe('desk: the message an action leaves for the next page', () => {
  it('is not shown nor used up by a live refresh of the open page; the page the redirect goes to shows it once', async () => {
    const t = await deskSetup();
    const c = deskClient(t.url);
    await c.signIn();
    await c.get('/');
    const paused = await c.post('/pause');
    expect(paused.status).toBe(303);

    // The open page refreshes itself in the background (a change event) before the redirect is followed.
    const refresh = await c.get('/', { 'x-newsdesk-refresh': '1' });
    expect(refresh.text).not.toContain('role="status"');

    const next = await c.get(paused.location ?? '/');
    expect(next.text).toMatch(/role="status"[^>]*>[^<]*[Pp]aused/);
    expect((await c.get('/')).text).not.toContain('role="status"'); // shown once
  });
});
