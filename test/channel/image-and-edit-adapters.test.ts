import fs from 'node:fs';
import path from 'node:path';
import wwebjs from 'whatsapp-web.js';
import { describe, expect, it } from 'vitest';
import { ChannelError, type PostImage } from '../../src/channel/channel.js';
import { createOutboxChannel, readTail } from '../../src/channel/outbox.js';
import { editOwnPost, findOwnPost, sendImagePost, type EditClient } from '../../src/channel/whatsapp-channel.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

const IMAGE: PostImage = { url: 'https://cdn.example.com/a.png', mimetype: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]), filename: 'image.png' };
const CHANNEL = '120363000000000001@newsletter';

describe('outbox: image posts and edits', () => {
  it('writes the image URL on an image post line and finds it by its caption', async () => {
    const clock = createFakeClock();
    const file = path.join(tempDir(), 'outbox.jsonl');
    const echoed: string[] = [];
    const outbox = createOutboxChannel({ file, clock, echo: (text) => echoed.push(text) });
    await outbox.start();
    const id = await outbox.send({ articleId: 1, text: 'caption', image: IMAGE });
    expect(readTail(file)).toEqual([expect.objectContaining({ articleId: 1, text: 'caption', image: IMAGE.url, messageId: id })]);
    expect(echoed).toEqual([`── outbox · article 1 · image ${IMAGE.url} · ${new Date(clock.now()).toISOString()} ──\ncaption\n`]);
    expect(await outbox.findPost({ articleId: 1, text: 'caption' })).toEqual({ messageId: id, postedAt: clock.now(), hasMedia: true });
  });

  it('appends an editOf line for an edit, which the read-back then finds under the original id', async () => {
    const clock = createFakeClock();
    const file = path.join(tempDir(), 'outbox.jsonl');
    const outbox = createOutboxChannel({ file, clock, channelName: 'news' });
    await outbox.start();
    const id = await outbox.send({ articleId: 3, text: 'old' });
    clock.advance(60_000);
    expect(await outbox.editPost!({ articleId: 3, messageId: id, text: 'new' })).toEqual({ kind: 'edited', messageId: id });
    const lines = readTail(file);
    expect(lines[1]).toEqual({ channel: 'news', articleId: 3, text: 'new', postedAt: new Date(clock.now()).toISOString(), messageId: id, editOf: id });
    expect(await outbox.findPost({ articleId: 3, text: 'new' })).toEqual({ messageId: id, postedAt: clock.now() });
  });

  it('cannot edit a post past the edit window or one it does not have', async () => {
    const clock = createFakeClock();
    const file = path.join(tempDir(), 'outbox.jsonl');
    const outbox = createOutboxChannel({ file, clock, editWindowMs: 15 * 60_000 });
    await outbox.start();
    const id = await outbox.send({ articleId: 1, text: 'old' });
    clock.advance(15 * 60_000);
    expect(await outbox.editPost!({ articleId: 1, messageId: id, text: 'on time' })).toMatchObject({ kind: 'edited' });
    clock.advance(1);
    expect(await outbox.editPost!({ articleId: 1, messageId: id, text: 'late' })).toEqual({ kind: 'not-editable', reason: 'the message is older than the edit window' });
    expect(await outbox.editPost!({ articleId: 1, messageId: 'outbox-9-nothere', text: 'x' })).toEqual({ kind: 'not-editable', reason: 'the message was not found on the channel' });
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('WhatsApp adapter: image posts', () => {
  it('sends a MessageMedia with the caption, no sendSeen and no link preview, and returns the accepted id', async () => {
    const calls: unknown[][] = [];
    const client = {
      sendMessage: async (...args: unknown[]) => {
        calls.push(args);
        return { id: { _serialized: 'true_1@newsletter_A' }, _data: { serverId: 7 } };
      },
    } as unknown as Parameters<typeof sendImagePost>[0];
    expect(await sendImagePost(client, CHANNEL, IMAGE, 'the caption')).toBe('true_1@newsletter_A');
    const [chat, media, options] = calls[0]!;
    expect(chat).toBe(CHANNEL);
    expect(media).toBeInstanceOf(wwebjs.MessageMedia); // the library only treats real MessageMedia as media
    expect(media).toMatchObject({ mimetype: 'image/png', data: IMAGE.data.toString('base64'), filename: 'image.png' });
    expect(options).toEqual({ caption: 'the caption', sendSeen: false, linkPreview: false });
  });

  it('marks failures before anything was sent (unpatched avParams, upload) as notSent, and others as maybe sent', async () => {
    const failing = (message: string) => ({ sendMessage: async () => Promise.reject(new Error(message)) }) as unknown as Parameters<typeof sendImagePost>[0];
    const avParams = await sendImagePost(failing('Evaluation failed: TypeError: msg.avParams is not a function'), CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
    expect(avParams).toBeInstanceOf(ChannelError);
    expect(avParams).toMatchObject({ notSent: true, retryable: true });
    const upload = await sendImagePost(failing('upload failed: media entry was not created'), CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
    expect(upload).toMatchObject({ notSent: true });
    const timeout = await sendImagePost(failing('Runtime.callFunctionOn timed out'), CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
    expect(timeout).toMatchObject({ notSent: false, retryable: true });
    const refused = await sendImagePost({ sendMessage: async () => null } as unknown as Parameters<typeof sendImagePost>[0], CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
    expect(refused).toMatchObject({ notSent: true, retryable: false, message: 'WhatsApp refused the image for a channel' });
    expect(timeout).toMatchObject({ message: 'WhatsApp image send failed: Runtime.callFunctionOn timed out' });
  });

  it('an answer with no message, or one the server gave no id, is a failure that may have been sent (read back before a retry)', async () => {
    const answering = (value: unknown) => ({ sendMessage: async () => value }) as unknown as Parameters<typeof sendImagePost>[0];
    const none = await sendImagePost(answering(undefined), CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ChannelError);
    expect(none).toMatchObject({ retryable: true, notSent: false, message: `WhatsApp returned no message for the image post to ${CHANNEL}` });
    for (const data of [{}, { serverId: '' }, { serverId: Number.NaN }, null]) {
      const unaccepted = await sendImagePost(answering({ id: { _serialized: 'true_1@newsletter_A' }, _data: data }), CHANNEL, IMAGE, 'c').catch((e: unknown) => e);
      expect(unaccepted).toMatchObject({ retryable: true, notSent: false, message: 'WhatsApp did not accept the image post (the server gave it no id)' });
    }
    expect(await sendImagePost(answering({ id: { _serialized: 'm2' }, _data: { serverId: 'abc' } }), CHANNEL, IMAGE, 'c')).toBe('m2');
  });

  it('finds an image post by its caption and says it has media', async () => {
    const channel = {
      isChannel: true,
      fetchMessages: async () => [{ body: 'the caption', hasMedia: true, ack: 1, timestamp: 100, id: { _serialized: 'm1' }, _data: { serverId: 3 } }],
    };
    const client = { getChatById: async () => channel } as unknown as Parameters<typeof findOwnPost>[0];
    expect(await findOwnPost(client, CHANNEL, 'the caption', 200_000)).toEqual({ messageId: 'm1', postedAt: 100_000, hasMedia: true });
  });
});

describe('WhatsApp adapter: edits', () => {
  const clientWith = (message: unknown): EditClient => ({ getMessageById: async () => message }) as unknown as EditClient;

  it('edits the bot\'s own message with linkPreview off', async () => {
    const edits: unknown[][] = [];
    const message = { fromMe: true, edit: async (...args: unknown[]) => (edits.push(args), { id: 'edited' }) };
    expect(await editOwnPost(clientWith(message), 'm1', 'new text')).toEqual({ kind: 'edited', messageId: 'm1' });
    expect(edits).toEqual([['new text', { linkPreview: false }]]);
  });

  it('is not editable when the message is missing, not ours, or the library returns null (past the edit window)', async () => {
    expect(await editOwnPost(clientWith(null), 'm1', 'x')).toEqual({ kind: 'not-editable', reason: 'the message was not found on the channel' });
    expect(await editOwnPost(clientWith({ fromMe: false, edit: async () => ({}) }), 'm1', 'x')).toEqual({ kind: 'not-editable', reason: "the message is not the bot's own" });
    expect(await editOwnPost(clientWith({ fromMe: true, edit: async () => null }), 'm1', 'x')).toEqual({
      kind: 'not-editable',
      reason: 'WhatsApp will not edit it (older than the edit window, or refused)',
    });
  });

  it('turns a page error into a retryable ChannelError', async () => {
    const cause = new Error('Target closed');
    const err = await editOwnPost(clientWith({ fromMe: true, edit: async () => Promise.reject(cause) }), 'm1', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp edit failed: Target closed; will retry', cause });
  });
});
