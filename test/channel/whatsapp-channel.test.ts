import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../src/channel/channel.js';
import {
  acceptedByServer,
  findOwnPost,
  normalisePostText,
  PENDING_AT_MOST_MS,
  READ_BACK_LIMIT,
  resolveChannel,
  sendPost,
  serverVerdict,
} from '../../src/channel/whatsapp-channel.js';

/**
 * The channel operations against hand-made stand-ins for whatsapp-web.js objects, shaped as the
 * library 1.34.7 returns them (see /work/shared/WHATSAPP.md). The fake WhatsApp client tests drive
 * the same code through the adapter; these pin each branch.
 */
const CHANNEL_ID = '120363000000000001@newsletter';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function channelChat(meta: Record<string, unknown> | undefined, messages: object[] = [], calls: unknown[] = []) {
  return {
    isChannel: true,
    id: { _serialized: CHANNEL_ID },
    name: 'Harian News',
    channelMetadata: meta,
    async fetchMessages(options: unknown) {
      calls.push(options);
      return messages;
    },
  };
}

const message = (body: unknown, over: Record<string, unknown> = {}) => ({
  body,
  timestamp: NOW / 1000 - 60,
  ack: 1,
  id: { _serialized: `true_${CHANNEL_ID}_${String(over.key ?? 'A1')}` },
  _data: { serverId: 101 },
  ...over,
});

describe('resolveChannel', () => {
  it('finds a channel by id, with the invite link from its metadata and the account\'s role', async () => {
    const asked: string[] = [];
    const client = {
      getChatById: async (id: string) => (asked.push(id), channelChat({ inviteCode: '0029VaInvite00000000000', membershipType: 'owner' })),
      getChannelByInviteCode: async () => {
        throw new Error('not this way');
      },
    };
    expect(await resolveChannel(client as Any, { kind: 'id', id: CHANNEL_ID })).toEqual({
      info: { id: CHANNEL_ID, name: 'Harian News', inviteLink: 'https://whatsapp.com/channel/0029VaInvite00000000000' },
      role: 'owner',
    });
    expect(asked).toEqual([CHANNEL_ID]);
  });

  it('by invite code keeps the link it was given; no role or invite code in the metadata is null', async () => {
    const codes: string[] = [];
    const client = {
      getChatById: async () => {
        throw new Error('not this way');
      },
      getChannelByInviteCode: async (code: string) => (codes.push(code), channelChat({ inviteCode: 'OtherCode00000', membershipType: 7 })),
    };
    const link = 'https://whatsapp.com/channel/0029VaGiven000000000000';
    expect(await resolveChannel(client as Any, { kind: 'invite', code: '0029VaGiven000000000000', link })).toEqual({
      info: { id: CHANNEL_ID, name: 'Harian News', inviteLink: link },
      role: null,
    });
    expect(codes).toEqual(['0029VaGiven000000000000']);
    const bare = { getChatById: async () => channelChat(undefined), getChannelByInviteCode: async () => undefined };
    expect(await resolveChannel(bare as Any, { kind: 'id', id: CHANNEL_ID })).toEqual({ info: { id: CHANNEL_ID, name: 'Harian News', inviteLink: null }, role: null });
    const emptyCode = { getChatById: async () => channelChat({ inviteCode: '' }), getChannelByInviteCode: async () => undefined };
    expect((await resolveChannel(emptyCode as Any, { kind: 'id', id: CHANNEL_ID }))?.info.inviteLink).toBeNull();
    const numberCode = { getChatById: async () => channelChat({ inviteCode: 42 }), getChannelByInviteCode: async () => undefined };
    expect((await resolveChannel(numberCode as Any, { kind: 'id', id: CHANNEL_ID }))?.info.inviteLink).toBeNull();
  });

  it.each([
    ['undefined (unknown id)', undefined],
    ['null', null],
    ['a plain chat', { isChannel: false, id: { _serialized: '601@c.us' }, name: 'Ali' }],
    ['a chat with isChannel truthy but not true', { isChannel: 1, id: { _serialized: CHANNEL_ID }, name: 'x' }],
    ['a string', 'channel'],
  ])('is null for %s', async (_name, chat) => {
    const client = { getChatById: async () => chat, getChannelByInviteCode: async () => chat };
    expect(await resolveChannel(client as Any, { kind: 'id', id: CHANNEL_ID })).toBeNull();
    expect(await resolveChannel(client as Any, { kind: 'invite', code: 'c', link: 'l' })).toBeNull();
  });

  it('lets a page error through (it may be temporary)', async () => {
    const client = {
      getChatById: async () => {
        throw new Error('Evaluation failed');
      },
      getChannelByInviteCode: async () => undefined,
    };
    await expect(resolveChannel(client as Any, { kind: 'id', id: CHANNEL_ID })).rejects.toThrow('Evaluation failed');
  });
});

describe('sendPost', () => {
  it('sends the text without sendSeen and with a link preview, and returns the message id', async () => {
    const calls: unknown[][] = [];
    const client = { sendMessage: async (...args: unknown[]) => (calls.push(args), message('x', { key: 'S1' })) };
    expect(await sendPost(client as Any, CHANNEL_ID, 'Hello')).toBe(`true_${CHANNEL_ID}_S1`);
    expect(calls).toEqual([[CHANNEL_ID, 'Hello', { sendSeen: false, linkPreview: true }]]);
  });

  it('a thrown error or string is retryable and keeps the cause', async () => {
    const boom = new Error('Protocol error');
    const err = await sendPost({ sendMessage: async () => Promise.reject(boom) } as Any, CHANNEL_ID, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp send failed: Protocol error', cause: boom });
    const fromString = await sendPost({ sendMessage: async () => Promise.reject('stale element') } as Any, CHANNEL_ID, 'x').catch((e: unknown) => e);
    expect(fromString).toMatchObject({ retryable: true, message: expect.stringContaining('stale element') });
  });

  it('null (content refused for a channel) is final; undefined (no message) and no server id are retryable', async () => {
    const refused = await sendPost({ sendMessage: async () => null } as Any, CHANNEL_ID, 'x').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChannelError);
    expect(refused).toMatchObject({ retryable: false, message: expect.stringMatching(/^WhatsApp refused this content for a channel/) });
    const none = await sendPost({ sendMessage: async () => undefined } as Any, CHANNEL_ID, 'x').catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ChannelError);
    expect(none).toMatchObject({ retryable: true, message: `WhatsApp returned no message for channel ${CHANNEL_ID} (channel not loaded in the page?); will retry` });
    const noServerId = await sendPost({ sendMessage: async () => message('x', { _data: {} }) } as Any, CHANNEL_ID, 'x').catch((e: unknown) => e);
    expect(noServerId).toBeInstanceOf(ChannelError);
    expect(noServerId).toMatchObject({ retryable: true, message: expect.stringMatching(/did not accept the channel post/) });
  });
});

describe('acceptedByServer and serverVerdict', () => {
  it.each([
    [{ _data: { serverId: 101 } }, true],
    [{ _data: { serverId: 0 } }, true],
    [{ _data: { serverId: '101' } }, true],
    [{ _data: { serverId: '' } }, false],
    [{ _data: { serverId: Number.NaN } }, false],
    [{ _data: { serverId: Number.POSITIVE_INFINITY } }, false],
    [{ _data: { serverId: null } }, false],
    [{ _data: {} }, false],
    [{ _data: null }, false],
    [{ _data: 'x' }, false],
    [{}, false],
  ])('%j → %s', (m, accepted) => {
    expect(acceptedByServer(m)).toBe(accepted);
  });

  it('accepted with a server id; pending while ack is 0; refused otherwise', () => {
    expect(serverVerdict({ _data: { serverId: 5 }, ack: 0 })).toBe('accepted');
    expect(serverVerdict({ _data: {}, ack: 0 })).toBe('pending');
    expect(serverVerdict({ _data: {}, ack: 1 })).toBe('refused');
    expect(serverVerdict({ _data: {} })).toBe('refused');
    expect(serverVerdict({ _data: {}, ack: '0' })).toBe('refused');
  });
});

describe('normalisePostText', () => {
  it('unifies line ends, Unicode composition and edge whitespace, and nothing else', () => {
    expect(normalisePostText('  a\r\nb\rc\n ')).toBe('a\nb\nc');
    expect(normalisePostText('Cafe\u0301')).toBe('Caf\u00e9');
    expect(normalisePostText('a  b\n\nc')).toBe('a  b\n\nc');
  });
});

describe('findOwnPost', () => {
  const client = (messages: object[], calls: unknown[] = []) => ({ getChatById: async () => channelChat({}, messages, calls) });

  it('reads the bot\'s own latest messages and returns the newest accepted copy of the text', async () => {
    const calls: unknown[] = [];
    const messages = [
      message('other', { key: 'X' }),
      message('*Floods*\r\n\r\nhttps://n.example/f ', { key: 'OLD', timestamp: NOW / 1000 - 600 }),
      message('*Floods*\n\nhttps://n.example/f', { key: 'NEW', timestamp: NOW / 1000 - 60 }),
      message('*Floods*\n\nhttps://n.example/f', { key: 'REFUSED', timestamp: NOW / 1000 - 30, _data: {} }),
      message(undefined, { key: 'MEDIA' }),
    ];
    expect(await findOwnPost(client(messages, calls) as Any, CHANNEL_ID, '*Floods*\n\nhttps://n.example/f', NOW)).toEqual({
      messageId: `true_${CHANNEL_ID}_NEW`,
      postedAt: NOW - 60_000,
    });
    expect(calls).toEqual([{ limit: READ_BACK_LIMIT, fromMe: true }]);
    expect(READ_BACK_LIMIT).toBe(50);
  });

  it('two accepted copies at the same second: the later one in the list wins', async () => {
    const messages = [message('t', { key: 'FIRST' }), message('t', { key: 'SECOND' })];
    expect((await findOwnPost(client(messages) as Any, CHANNEL_ID, 't', NOW))?.messageId).toBe(`true_${CHANNEL_ID}_SECOND`);
    const reversed = [message('t', { key: 'NEWER', timestamp: NOW / 1000 - 10 }), message('t', { key: 'OLDER', timestamp: NOW / 1000 - 20 })];
    expect((await findOwnPost(client(reversed) as Any, CHANNEL_ID, 't', NOW))?.messageId).toBe(`true_${CHANNEL_ID}_NEWER`);
  });

  it('null when only refused or no copies are there', async () => {
    expect(await findOwnPost(client([message('t', { _data: {}, ack: 1 })]) as Any, CHANNEL_ID, 't', NOW)).toBeNull();
    expect(await findOwnPost(client([]) as Any, CHANNEL_ID, 't', NOW)).toBeNull();
  });

  it('a copy still waiting for the server (ack 0) throws a retryable "waiting" error, until it is 15 minutes old', async () => {
    const pending = (ageMs: number) => message('t', { _data: {}, ack: 0, timestamp: (NOW - ageMs) / 1000 });
    const err = await findOwnPost(client([pending(60_000)]) as Any, CHANNEL_ID, 't', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: true, waiting: true, message: expect.stringMatching(/still waiting for the WhatsApp server/) });
    await expect(findOwnPost(client([pending(PENDING_AT_MOST_MS - 1_000)]) as Any, CHANNEL_ID, 't', NOW)).rejects.toMatchObject({ waiting: true });
    expect(await findOwnPost(client([pending(PENDING_AT_MOST_MS)]) as Any, CHANNEL_ID, 't', NOW)).toBeNull();
    expect(PENDING_AT_MOST_MS).toBe(15 * 60_000);
    // An accepted copy wins over a pending one.
    expect(await findOwnPost(client([pending(1_000), message('t', { key: 'OK' })]) as Any, CHANNEL_ID, 't', NOW)).toMatchObject({ messageId: `true_${CHANNEL_ID}_OK` });
    // A pending copy of other text is no reason to wait.
    expect(await findOwnPost(client([message('other', { _data: {}, ack: 0, timestamp: NOW / 1000 })]) as Any, CHANNEL_ID, 't', NOW)).toBeNull();
  });

  it('a channel that cannot be loaded or read is a retryable error with the cause', async () => {
    const notChannel = { getChatById: async () => undefined };
    const err = await findOwnPost(notChannel as Any, CHANNEL_ID, 't', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: true, message: `reading the channel back failed: channel ${CHANNEL_ID} could not be loaded; will retry` });
    const boom = new Error('detached frame');
    const failing = { getChatById: async () => ({ ...channelChat({}), fetchMessages: async () => Promise.reject(boom) }) };
    await expect(findOwnPost(failing as Any, CHANNEL_ID, 't', NOW)).rejects.toMatchObject({ retryable: true, cause: boom });
  });
});
