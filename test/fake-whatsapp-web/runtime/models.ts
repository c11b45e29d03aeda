import { Collection } from './collection.js';
import { Emitter } from './emitter.js';
import type { MsgKey } from '../modules/WAWebMsgKey.js';
import type { Wid } from '../modules/WAWebWidFactory.js';

/**
 * A message model (`WAWebCollections.Msg.modelClass`). whatsapp-web.js builds one from a plain
 * attribute bag, assigns `msg.t` and `msg.serverId` directly and calls `updateAck`; `serialize()` gives
 * the by-value copy it hands to Node, with no key for an attribute never set (a refused channel post
 * has no `serverId` key at all, as in WhatsApp Web).
 */
export class MsgModel extends Emitter {
  id!: MsgKey;
  body?: string;
  type = 'chat';
  t = 0;
  ack = 0;
  from?: Wid;
  to?: Wid;
  serverId?: number;
  isNewMsg?: boolean;
  /** A media message: its caption, MIME type and where the upload lives (whatsapp-web.js's `hasMedia`). */
  caption?: string;
  mimetype?: string;
  directPath?: string;
  pollName?: string;
  /** When the message was last edited (ms), as WhatsApp Web marks an edited message. */
  latestEditSenderTimestampMs?: number;

  constructor(attributes: Record<string, unknown>) {
    super();
    Object.assign(this, attributes);
  }

  serialize(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) if (value !== undefined && typeof value !== 'function') out[key] = value;
    return out;
  }

  /** What a reader sees as text: a media message's caption, a poll's name, or the body. */
  text(): string {
    if (this.directPath !== undefined) return this.caption ?? '';
    return String(this.body ?? this.pollName ?? '');
  }

  /** Whether this is a photo, video, voice note, … (the upload's path is set once it is uploaded). */
  get isMedia(): boolean {
    return this.directPath !== undefined;
  }

  updateAck(ack: number, _sendNow?: boolean): void {
    this.ack = ack;
    this.trigger('change:ack', this, ack);
  }

  get isEphemeral(): boolean {
    return false;
  }

  get isStatusV3(): boolean {
    return false;
  }
}

/** `newsletterMetadata`: what `Channel.channelMetadata` is built from (`serialize()`). */
export class NewsletterMetadata {
  constructor(
    readonly name: string,
    readonly inviteCode: string,
    readonly membershipType: string,
    readonly creationTime: number,
  ) {}

  serialize(): Record<string, unknown> {
    return { name: this.name, inviteCode: this.inviteCode, membershipType: this.membershipType, description: '', verified: false };
  }
}

/** A chat: a person's (`@c.us`, `@lid`) or a channel (`@newsletter`, with `newsletterMetadata`). */
export class ChatModel extends Emitter {
  readonly msgs = new Collection<MsgModel>(MsgModel);
  readonly mute = { expiration: 0 };
  t: number;
  unreadCount = 0;
  /** Set once the channel's earlier posts were loaded from storage into `msgs`. */
  historyLoaded = false;

  constructor(
    readonly id: Wid,
    public name: string,
    readonly newsletterMetadata?: NewsletterMetadata,
  ) {
    super();
    this.t = Math.floor(Date.now() / 1000);
  }

  get formattedTitle(): string {
    return this.name;
  }

  serialize(): Record<string, unknown> {
    return { id: this.id, name: this.name, t: this.t, unreadCount: this.unreadCount, archive: false, pin: 0, isReadOnly: false };
  }
}
