import { WAWebCollections } from '../modules/WAWebCollections.js';
import { MsgKey } from '../modules/WAWebMsgKey.js';
import { createWid } from '../modules/WAWebWidFactory.js';
import type { FakeChannel } from '../control.js';
import { ChatModel, MsgModel, NewsletterMetadata } from './models.js';
import { storage } from './storage.js';
import { world } from './world.js';

/** Puts one of the account's channels into WAWebNewsletterCollection (at sync, or when asked for). */
export function loadChannel(channel: FakeChannel): ChatModel {
  const existing = WAWebCollections.WAWebNewsletterCollection.getModelsArray().find((c) => c.id._serialized === channel.id);
  if (existing) return existing;
  const chat = new ChatModel(createWid(channel.id), channel.name, new NewsletterMetadata(channel.name, channel.inviteCode, channel.role, 1_700_000_000));
  WAWebCollections.WAWebNewsletterCollection.add(chat);
  return chat;
}

/** The chat a message id (`<fromMe>_<remote>_<id>`) belongs to: for a channel post, its `…@newsletter`. */
export function chatOfMsgId(id: string): string {
  return id.slice(id.indexOf('_') + 1, id.lastIndexOf('_'));
}

/**
 * The channel's earlier messages, once per page load: this page's stored records of that channel joined
 * with what the server accepted there. A stored copy the server has carries its `serverId`; one the
 * server never answered comes back as failed (ack 1, no `serverId`): the page that was waiting for the
 * answer is gone.
 */
export async function loadChannelHistory(chat: ChatModel): Promise<MsgModel[]> {
  if (chat.historyLoaded) return [];
  chat.historyLoaded = true;
  const me = createWid(`${world.session?.phone ?? '0'}@c.us`);
  const channelId = chat.id._serialized;
  const server = new Map((await storage.serverPosts()).filter((p) => p.channel === channelId).map((p) => [p.id, p]));
  const earlier: MsgModel[] = [];
  const stored = (await storage.localMsgs()).filter((r) => chatOfMsgId(r.id) === channelId);
  for (const record of stored.sort((a, b) => a.t - b.t)) {
    if (chat.msgs.get(record.id)) continue;
    const accepted = server.get(record.id);
    const rawId = record.id.slice(record.id.lastIndexOf('_') + 1);
    earlier.push(
      new MsgModel({
        id: new MsgKey({ from: me, to: chat.id, id: rawId, selfDir: 'out' }),
        ...content(accepted?.body ?? record.body, record),
        t: accepted?.t ?? record.t,
        ack: Math.max(record.ack, 1),
        from: me,
        to: chat.id,
        isNewMsg: false,
        ...(accepted ? { serverId: accepted.serverId } : {}),
      }),
    );
  }
  // Posts the server has but this page never stored (a new login): the channel's history, from the server.
  for (const post of server.values()) {
    if (chat.msgs.get(post.id) || earlier.some((m) => m.id._serialized === post.id)) continue;
    const rawId = post.id.slice(post.id.lastIndexOf('_') + 1);
    earlier.push(
      new MsgModel({
        id: new MsgKey({ from: me, to: chat.id, id: rawId, selfDir: 'out' }),
        ...content(post.body, post),
        t: post.t,
        ack: 1,
        from: me,
        to: chat.id,
        isNewMsg: false,
        serverId: post.serverId,
      }),
    );
  }
  earlier.sort((a, b) => a.t - b.t);
  chat.msgs.add(earlier, { at: 'start' });
  return earlier;
}

/** A stored message's content fields: the text as body, or as a media post's caption (with its upload). */
function content(text: string, stored: { type?: string; directPath?: string; mimetype?: string }): Record<string, unknown> {
  const type = stored.type ?? 'chat';
  if (!stored.directPath) return { body: text, type };
  return { type, caption: text, directPath: stored.directPath, mimetype: stored.mimetype ?? '' };
}
