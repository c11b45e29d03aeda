import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wwebjs, { type Channel, type Client, type Message } from 'whatsapp-web.js';
import { buildClientOptions, profileDir } from '../../src/channel/whatsapp-launch.js';
import { CHANNEL, cleanUp, connectFake, killBrowsersUsing, prepareRealWhatsApp, type FakePage, type RealSetup } from '../helpers/real-whatsapp.js';

/**
 * The expression whatsapp-web.js puts after `mediaMetadata:` in the injected `window.WWebJS.sendMessage`:
 * as shipped in 1.34.7, and as upstream PR #201824 has it (issue #201823). The installed copy may carry
 * Newsdesk's patch (patches/); the tests swap the expression in the page to test both on their own.
 */
const SHIPPED = 'msg.avParams()';
const PR_201824 = "window.require('WAWebMediaMetadata').mediaMetadata(msg)";

/** `_data.serverId`: set by the page only when the server accepted the channel post (untyped upstream). */
const serverIdOf = (m: Message): unknown => (m as unknown as { _data: { serverId?: unknown } })._data.serverId;

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/**
 * The real whatsapp-web.js 1.34.7 driven directly (no Newsdesk in between) against the fake WhatsApp
 * Web, for the library paths the product's image posts and corrections stand on: `Message.edit` of a
 * channel post (and its refusals) and `sendMessage` with a `MessageMedia` to a channel, with the
 * library's injected code as shipped and with the one-line fix of upstream PR #201824. One client and
 * one browser for the file. Built with the product's own client options (buildClientOptions).
 */
describe('real whatsapp-web.js against the fake page: edits and media in a channel', { timeout: 60_000 }, () => {
  let root: string;
  let setup: RealSetup;
  let client: Client;
  let fake: FakePage;
  let channel: Channel;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-real-lib-'));
    setup = await prepareRealWhatsApp(root);
    client = new wwebjs.Client(
      buildClientOptions({ sessionDir: path.join(setup.dataDir, 'session'), chromiumPath: setup.wrapper, waWeb: { version: setup.version, cacheDir: setup.cacheDir } }),
    );
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    client.once('qr', () => void fake.call('scan'));
    fake = connectFake(setup.port);
    await client.initialize();
    await ready;
    const chat = (await client.getChatById(CHANNEL.id)) as unknown as Channel;
    expect(chat.isChannel).toBe(true);
    channel = chat;
  }, 90_000);

  afterAll(async () => {
    await client?.destroy().catch(() => undefined);
    if (setup) killBrowsersUsing(profileDir(path.join(setup.dataDir, 'session')));
    await cleanUp({ fake, root });
  });

  const readBack = async (text: string): Promise<Message[]> =>
    (await channel.fetchMessages({ limit: 50, fromMe: true })).filter((m) => m.body === text);

  const post = async (text: string): Promise<Message> => {
    const sent = await client.sendMessage(CHANNEL.id, text, { sendSeen: false, linkPreview: false });
    expect(serverIdOf(sent)).toBeTypeOf('number');
    return sent;
  };

  /**
   * Makes the page's `window.WWebJS.sendMessage` the installed one with its `mediaMetadata:` expression
   * replaced (`null`: the installed one as it is). Throws when the expression is not found.
   */
  const useSendMessage = (expression: string | null): Promise<void> =>
    client.pupPage!.evaluate((replacement) => {
      const w = window as unknown as { WWebJS: { sendMessage: unknown }; installedSendMessage?: unknown };
      w.installedSendMessage ??= w.WWebJS.sendMessage;
      if (replacement === null) {
        w.WWebJS.sendMessage = w.installedSendMessage;
        return;
      }
      const source = String(w.installedSendMessage);
      const pattern = /mediaMetadata:[\s\S]*?,(\s*)mediaHandle/;
      if (!pattern.test(source)) throw new Error('no mediaMetadata expression in the injected sendMessage');
      w.WWebJS.sendMessage = (0, eval)(`(${source.replace(pattern, (_m, space: string) => `mediaMetadata: ${replacement},${space}mediaHandle`)})`);
    }, expression);

  it('Message.edit on a channel post: the server and the read-back have the new text', async () => {
    const sent = await post('Edit me: first version');
    const edited = await sent.edit('Edit me: corrected version', { linkPreview: false });
    expect(edited?.body).toBe('Edit me: corrected version');
    expect(await readBack('Edit me: corrected version')).toHaveLength(1);
    expect(await readBack('Edit me: first version')).toHaveLength(0);
    const onServer = (await fake.call('serverPosts')).filter((p) => p.id === sent.id._serialized);
    expect(onServer).toMatchObject([{ body: 'Edit me: corrected version', edits: 1 }]);
  });

  it('a message found by the read-back (not the one send returned) can be edited too', async () => {
    await post('Read back then edit');
    const [found] = await readBack('Read back then edit');
    expect(await found!.edit('Read back, edited', { linkPreview: false })).not.toBeNull();
    expect(await readBack('Read back, edited')).toHaveLength(1);
  });

  it('edit window expired: Message.edit returns null and nothing changes', async () => {
    const sent = await post('Too old to edit');
    await fake.call('addEditFault', { kind: 'expired', match: 'Too old to edit', times: 1 });
    expect(await sent.edit('Too old, edited', { linkPreview: false })).toBeNull();
    expect(await readBack('Too old to edit')).toHaveLength(1);
    expect((await fake.call('serverPosts')).find((p) => p.id === sent.id._serialized)).toMatchObject({ body: 'Too old to edit' });
  });

  it('edit refused by the server: Message.edit throws and the post keeps its text', async () => {
    const sent = await post('Refused edit');
    await fake.call('addEditFault', { kind: 'refuse', match: 'Refused edit', times: 1 });
    await expect(sent.edit('Refused edit, changed', { linkPreview: false })).rejects.toThrow(/refused the edit/);
    expect(await readBack('Refused edit')).toHaveLength(1);
    expect((await fake.call('serverPosts')).find((p) => p.id === sent.id._serialized)).toMatchObject({ body: 'Refused edit' });
  });

  it('a refused post (no serverId) cannot be edited: null', async () => {
    await fake.call('addSendFault', { kind: 'refuse', match: 'Never accepted', times: 1 });
    const sent = await client.sendMessage(CHANNEL.id, 'Never accepted', { sendSeen: false, linkPreview: false });
    expect(serverIdOf(sent)).toBeUndefined();
    expect(await sent.edit('Never accepted, edited', { linkPreview: false })).toBeNull();
  });

  it('image with caption, injected code as shipped in 1.34.7: "msg.avParams is not a function", nothing on the channel', async () => {
    await useSendMessage(SHIPPED);
    try {
      const before = (await fake.call('serverPosts')).length;
      const media = new wwebjs.MessageMedia('image/png', PNG, 'photo.png');
      await expect(client.sendMessage(CHANNEL.id, media, { caption: 'Caption, shipped library', sendSeen: false })).rejects.toThrow(
        /msg\.avParams is not a function/,
      );
      expect(await fake.call('serverPosts')).toHaveLength(before);
      // The page had already stored and shown the post (ack 0) when the call failed: it stays pending.
      expect((await fake.call('pagePosts')).filter((p) => p.body === 'Caption, shipped library')).toMatchObject([{ type: 'image', ack: 0, serverId: null }]);
    } finally {
      await useSendMessage(null);
    }
  });

  it('image with caption, with the fix of PR #201824: on the channel, read back as media with its caption, caption editable', async () => {
    await useSendMessage(PR_201824);
    try {
      const media = new wwebjs.MessageMedia('image/png', PNG, 'photo.png');
      const sent = await client.sendMessage(CHANNEL.id, media, { caption: 'Caption, fixed library', sendSeen: false });
      expect(sent.hasMedia).toBe(true);
      expect(sent.body).toBe('Caption, fixed library');
      expect(serverIdOf(sent)).toBeTypeOf('number');
      const [found] = await readBack('Caption, fixed library');
      expect(found?.hasMedia).toBe(true);
      expect((await fake.call('serverPosts')).find((p) => p.id === sent.id._serialized)).toMatchObject({
        type: 'image',
        mimetype: 'image/png',
        body: 'Caption, fixed library',
        mediaHandle: expect.stringMatching(/^handle-/),
      });
      const edited = await found!.edit('Caption, corrected', { linkPreview: false });
      expect(edited?.body).toBe('Caption, corrected');
      expect(await readBack('Caption, corrected')).toHaveLength(1);
    } finally {
      await useSendMessage(null);
    }
  });

  it('image with caption, the library as installed (with patches/ applied by postinstall): on the channel', async () => {
    const media = new wwebjs.MessageMedia('image/jpeg', PNG, 'photo.jpg');
    const sent = await client.sendMessage(CHANNEL.id, media, { caption: 'Caption, installed library', sendSeen: false });
    expect(serverIdOf(sent)).toBeTypeOf('number');
    expect((await fake.call('serverPosts')).find((p) => p.id === sent.id._serialized)).toMatchObject({ type: 'image', body: 'Caption, installed library' });
  });
});
