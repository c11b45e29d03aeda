import type { Message } from 'whatsapp-web.js';
import { describe, expect, it } from 'vitest';
import type { ClientLike } from '../../src/channel/whatsapp-launch.js';
import { toIncoming } from '../../src/channel/whatsapp-messages.js';

const ADMIN = '60123456789';
const STRANGER = '60198765432';

/** The one client call toIncoming may make: resolving a @lid id to its phone number. */
const client = {
  getContactLidAndPhone: async (ids: string[]) => ids.map((lid) => ({ lid, pn: lid === '555@lid' ? `${STRANGER}@c.us` : null })),
} as unknown as Pick<ClientLike, 'getContactLidAndPhone'>;

const message = (m: Record<string, unknown>) => ({ fromMe: false, isStatus: false, type: 'chat', body: '/pause', timestamp: 1, ...m }) as unknown as Message;

describe('the sender of an incoming message', () => {
  it('in a direct chat is the chat, never the message author field (which could name an admin)', async () => {
    const fromPhone = await toIncoming(client, message({ from: `${STRANGER}@c.us`, author: `${ADMIN}@c.us` }));
    expect(fromPhone).toMatchObject({ chatId: `${STRANGER}@c.us`, senderPhone: STRANGER });
    const fromLid = await toIncoming(client, message({ from: '555@lid', author: `${ADMIN}@c.us` }));
    expect(fromLid.senderPhone).toBe(STRANGER);
  });

  it('in a group is the author (groups are then ignored by the inbox)', async () => {
    const inGroup = await toIncoming(client, message({ from: '120363111111111111@g.us', author: `${ADMIN}@c.us` }));
    expect(inGroup.senderPhone).toBe(ADMIN);
  });
});
