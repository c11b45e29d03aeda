import type { FakeControl, FakeState, PagePost, ServerPost } from '../control.js';
import { WABase64 } from '../modules/WABase64.js';
import { WAWebCollections } from '../modules/WAWebCollections.js';
import { WAWebCompanionRegClientUtils } from '../modules/WAWebCompanionRegClientUtils.js';
import { WAWebConnModel } from '../modules/WAWebConnModel.js';
import { MsgKey, newMessageId } from '../modules/WAWebMsgKey.js';
import { WAWebSocketModel } from '../modules/WAWebSocketModel.js';
import { WAWebUserPrefsMultiDevice } from '../modules/WAWebUserPrefsMultiDevice.js';
import { createWid } from '../modules/WAWebWidFactory.js';
import { IDENTITY_PUBLIC_KEY, NOISE_PUBLIC_KEY } from './keys.js';
import { ChatModel, MsgModel } from './models.js';
import { pair, unlink } from './session.js';
import { storage } from './storage.js';
import { knownChannels, world } from './world.js';

/** `window.fakeWhatsApp`: what the phone, the server and the network do, on the harness's say-so. */
export function createControl(): FakeControl {
  return {
    state(): FakeState {
      const unpaired = world.session === null;
      return {
        socket: WAWebSocketModel.Socket.state,
        paired: !unpaired,
        qr: unpaired ? qrText() : null,
        pairingCode: world.pairingCode,
        pairingPhone: world.pairingPhone,
        injected: 'WWebJS' in window,
      };
    },

    scan: () => pair(),

    async enterPairingCode(code: string): Promise<void> {
      const typed = code.replace(/[-\s]/g, '').toUpperCase();
      if (!world.pairingCode || typed !== world.pairingCode) throw new Error(`fake WhatsApp Web: wrong pairing code ${code} (the page showed ${world.pairingCode ?? 'none'})`);
      if (world.pairingPhone !== world.options.account.phone) {
        throw new Error(`fake WhatsApp Web: the code was asked for +${world.pairingPhone}, not this phone's +${world.options.account.phone}`);
      }
      await pair();
    },

    receive(from: string, body: string): void {
      if (!world.session) throw new Error('fake WhatsApp Web: not logged in');
      const wid = createWid(from);
      const me = createWid(`${world.session.phone}@c.us`);
      let chat = WAWebCollections.Chat.get(wid);
      if (!chat) {
        chat = new ChatModel(wid, wid.user);
        WAWebCollections.Chat.add(chat);
      }
      const msg = new MsgModel({
        id: new MsgKey({ from: wid, to: me, id: newMessageId(), selfDir: 'in' }),
        body,
        type: 'chat',
        t: Math.floor(Date.now() / 1000),
        ack: 1,
        from: wid,
        to: me,
        notifyName: 'Tester',
        isNewMsg: true,
      });
      chat.msgs.add(msg);
      chat.unreadCount += 1;
      WAWebCollections.Msg.add(msg);
    },

    async serverPosts(channelId?: string): Promise<ServerPost[]> {
      const order = knownChannels().map((c) => c.id);
      const rank = (channel: string) => (order.includes(channel) ? order.indexOf(channel) : order.length);
      return (await storage.serverPosts())
        .filter((p) => channelId === undefined || p.channel === channelId)
        .sort((a, b) => rank(a.channel) - rank(b.channel) || a.serverId - b.serverId);
    },

    pagePosts(channelId?: string): PagePost[] {
      return newsletterChats(channelId).flatMap((chat) =>
        chat.msgs.getModelsArray().map((m) => ({ id: m.id._serialized, channel: chat.id._serialized, body: m.text(), type: m.type, ack: m.ack, serverId: m.serverId ?? null })),
      );
    },

    sentDirect: () => [...world.sentDirect],
    addSendFault: (rule) => void world.sendFaults.push({ ...rule }),
    addFetchFault: (rule) => void world.fetchFaults.push({ ...rule }),
    addEditFault: (rule) => void world.editFaults.push({ ...rule }),
    holdSends: (rule) => void world.sendHolds.push({ ...rule }),
    heldSends: () => world.heldSends.map(({ body, stage }) => ({ body, stage })),
    releaseSends(): number {
      const held = world.heldSends;
      world.heldSends = [];
      for (const h of held) h.release();
      return held.length;
    },
    loadedCounts: () => ({
      channelMsgs: newsletterChats().reduce((sum, chat) => sum + chat.msgs.length, 0),
      msgs: WAWebCollections.Msg.length,
    }),
    setChannelMissing: (missing) => void (world.channelMissing = missing),
    pendingPosts: () => world.held.map((h) => h.body),

    settlePending(verdict, match = ''): number {
      const held = world.held.filter((h) => h.body.includes(match));
      world.held = world.held.filter((h) => !held.includes(h));
      for (const h of held) h.answer(verdict);
      return held.length;
    },

    logout: () => unlink(),
    setSocketState: (state) => WAWebSocketModel.Socket.setState(state),
  };
}

/** The channels this page has loaded (all, or the one with `channelId`), in the order they were loaded. */
function newsletterChats(channelId?: string): ChatModel[] {
  return WAWebCollections.WAWebNewsletterCollection.getModelsArray().filter((c) => channelId === undefined || c.id._serialized === channelId);
}

/** The QR code's text exactly as whatsapp-web.js builds it: ref, noise key, identity key, ADV secret, platform. */
function qrText(): string {
  return [
    WAWebConnModel.Conn.ref,
    WABase64.encodeB64(NOISE_PUBLIC_KEY),
    WABase64.encodeB64(IDENTITY_PUBLIC_KEY),
    WAWebUserPrefsMultiDevice.getADVSecretKey(),
    WAWebCompanionRegClientUtils.DEVICE_PLATFORM,
  ].join(',');
}
