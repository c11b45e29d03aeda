import type { ChannelInfo } from '../channel/channel.js';
import type { DirectMessages, IncomingMessage } from '../channel/direct-messages.js';
import type { Clock } from '../clock.js';
import { errorDetail, type Logger } from '../log.js';
import type { AuditLog } from '../store/audit-log.js';
import type { CommandCore } from './command-core.js';

/** Words a reader sends to ask how to follow the channel (any case, optional / or ! and punctuation). */
const SUBSCRIBE_WORDS = new Set(['subscribe', 'join', 'follow', 'start', 'hi']);
export const SUBSCRIBE_COOLDOWN_MS = 10 * 60_000;

export interface InboxOptions {
  core: CommandCore;
  messages: DirectMessages;
  audit: AuditLog;
  /** Admin phone numbers, digits only. */
  admins: readonly string[];
  channelInfo: () => ChannelInfo | null;
  clock: Clock;
  log: Logger;
}

export type InboxOutcome = 'ignored' | 'command' | 'hint' | 'subscribe-reply' | 'rate-limited' | 'denied' | 'silent';

/**
 * The WhatsApp door. Admins' `/command` or `!command` messages run through the command core and get
 * the reply; readers who ask to subscribe get the channel link (once per sender per 10 minutes); groups,
 * channels, status updates and the bot's own messages are ignored. Never throws.
 */
export function createInbox(options: InboxOptions) {
  const { core, messages, audit, clock, log } = options;
  const admins = new Set(options.admins);
  const lastReply = new Map<string, number>();

  function forget(now: number): void {
    if (lastReply.size < 1_000) return;
    for (const [sender, at] of lastReply) if (now - at >= SUBSCRIBE_COOLDOWN_MS) lastReply.delete(sender);
  }

  async function handle(message: IncomingMessage): Promise<InboxOutcome> {
    try {
      return await route(message);
    } catch (err) {
      log.error({ chatId: message.chatId, ...errorDetail(err) }, 'could not handle an incoming message');
      return 'ignored';
    }
  }

  async function route(m: IncomingMessage): Promise<InboxOutcome> {
    if (m.fromMe || m.isStatus) return 'ignored';
    if (!/@(c\.us|lid|s\.whatsapp\.net)$/.test(m.chatId)) return 'ignored'; // groups, channels, broadcasts
    const body = typeof m.body === 'string' ? m.body.trim() : '';
    if (!body) return 'ignored';
    const prefixed = body.startsWith('/') || body.startsWith('!');
    const phone = m.senderPhone;

    if (phone && admins.has(phone)) {
      if (!prefixed) {
        await messages.reply(m.chatId, 'Commands start with / or ! — send /help for the list.');
        return 'hint';
      }
      const result = await core.run(body.slice(1), { door: 'whatsapp', id: `admin:+${phone}` });
      await messages.reply(m.chatId, result.text);
      return 'command';
    }

    const sender = phone ?? m.chatId;
    if (prefixed && !isSubscribeWord(body)) {
      audit.record({ at: clock.now(), actor: phone ? `+${phone}` : m.chatId, door: 'whatsapp', command: body, outcome: 'denied', detail: 'not an admin' });
      log.warn({ sender, command: body.slice(0, 60) }, 'command from a non-admin ignored');
      return 'denied';
    }
    if (!isSubscribeWord(body)) return 'silent';
    const now = clock.now();
    const previous = lastReply.get(sender);
    if (previous !== undefined && now - previous < SUBSCRIBE_COOLDOWN_MS) return 'rate-limited';
    forget(now);
    lastReply.set(sender, now);
    await messages.reply(m.chatId, subscribeText(options.channelInfo()));
    return 'subscribe-reply';
  }

  return {
    handle,
    /** Starts listening to the adapter's incoming messages. Returns a function that stops it. */
    listen(): () => void {
      return messages.onMessage((m) => handle(m).then(() => undefined));
    },
  };
}

function isSubscribeWord(body: string): boolean {
  const word = body.replace(/^[/!]/, '').replace(/[\s.!?,;:)(]+$/u, '').trim().toLowerCase();
  return SUBSCRIBE_WORDS.has(word);
}

function subscribeText(info: ChannelInfo | null): string {
  if (!info?.inviteLink) return 'Thanks for your interest! Our WhatsApp channel link is not available right now; please try again later.';
  return `Follow ${info.name} on WhatsApp for breaking news alerts:\n${info.inviteLink}\n\nOpen the link and tap "Follow".`;
}
