import type { ChannelInfo } from '../channel/channel.js';
import type { DirectMessages, IncomingMessage } from '../channel/direct-messages.js';
import type { Clock } from '../clock.js';
import { displaySafe } from '../articles/text-safety.js';
import { errorDetail, type Logger } from '../log.js';
import type { AuditLog } from '../store/audit-log.js';
import type { CommandCore } from './command-core.js';

/** Words a reader sends to ask how to follow the channel (any case, optional / or ! and punctuation). */
const SUBSCRIBE_WORDS = new Set(['subscribe', 'join', 'follow', 'start', 'hi']);
export const SUBSCRIBE_COOLDOWN_MS = 10 * 60_000;
/** Most subscribe replies to everyone together per window: 20,000 senders must not get 20,000 replies (WhatsApp bans bulk senders). */
export const SUBSCRIBE_REPLIES_PER_WINDOW = 60;
export const SUBSCRIBE_WINDOW_MS = 10 * 60_000;

/**
 * Non-admins' commands are audited, but anyone can send them: per sender one audit row per window
 * (the rest counted, and the count written with the sender's next row), at most DENIED_ROWS_PER_WINDOW
 * rows for all senders together (the rest counted in one row when the next window starts), and the
 * stored text cut to DENIED_TEXT_MAX characters.
 */
export const DENIED_WINDOW_MS = 10 * 60_000;
export const DENIED_ROWS_PER_WINDOW = 100;
export const DENIED_TEXT_MAX = 200;
/** Most senders remembered for the counts above; the oldest are forgotten first. */
const MAX_TRACKED_SENDERS = 10_000;

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
  const deniedBySender = new Map<string, { since: number; unrecorded: number }>();
  let deniedWindow = { since: Number.NEGATIVE_INFINITY, rows: 0, unrecorded: 0 };
  let subscribeWindow = { since: Number.NEGATIVE_INFINITY, replies: 0, limited: 0 };

  // Forgetting only bounds memory: a reader whose 10 minutes are over gets the same answer remembered or not.
  // Stryker disable next-line BlockStatement: see above (a reader forgotten too early is tested)
  function forget(now: number): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: when to prune changes memory, never a reply
    if (lastReply.size < 1_000) return;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an entry whose cooldown is (exactly) over no longer limits anyone
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
      recordDenied(phone ? `+${phone}` : m.chatId.slice(0, 80), body);
      return 'denied';
    }
    if (!isSubscribeWord(body)) return 'silent';
    const now = clock.now();
    const previous = lastReply.get(sender);
    // Stryker disable next-line ConditionalExpression: now - undefined is NaN, and NaN < anything is false
    if (previous !== undefined && now - previous < SUBSCRIBE_COOLDOWN_MS) return 'rate-limited';
    if (now - subscribeWindow.since >= SUBSCRIBE_WINDOW_MS) {
      if (subscribeWindow.limited > 0) log.warn({ unanswered: subscribeWindow.limited }, 'subscribe requests left unanswered in the last window (global cap reached)');
      subscribeWindow = { since: now, replies: 0, limited: 0 };
    }
    if (subscribeWindow.replies >= SUBSCRIBE_REPLIES_PER_WINDOW) {
      if (subscribeWindow.limited === 0) {
        log.warn({ cap: SUBSCRIBE_REPLIES_PER_WINDOW, windowMinutes: SUBSCRIBE_WINDOW_MS / 60_000 }, 'subscribe replies capped for everyone until the window ends');
      }
      subscribeWindow.limited += 1;
      return 'rate-limited';
    }
    subscribeWindow.replies += 1;
    forget(now);
    lastReply.set(sender, now);
    await messages.reply(m.chatId, subscribeText(options.channelInfo()));
    return 'subscribe-reply';
  }

  /** Audits a non-admin's command, sampled per sender and capped for everyone (see DENIED_WINDOW_MS). */
  function recordDenied(actor: string, body: string): void {
    const now = clock.now();
    const mine = deniedBySender.get(actor);
    if (mine && now - mine.since < DENIED_WINDOW_MS) {
      mine.unrecorded += 1;
      return;
    }
    if (now - deniedWindow.since >= DENIED_WINDOW_MS) {
      if (deniedWindow.unrecorded > 0) {
        const detail = `${deniedWindow.unrecorded} commands from non-admins were not recorded in the previous ${DENIED_WINDOW_MS / 60_000} minutes: more than ${DENIED_ROWS_PER_WINDOW} senders`;
        audit.record({ at: now, actor: 'non-admins', door: 'whatsapp', command: '(not recorded)', outcome: 'denied', detail });
        log.warn({ unrecorded: deniedWindow.unrecorded }, detail);
      }
      deniedWindow = { since: now, rows: 0, unrecorded: 0 };
    }
    remember(actor, now);
    if (deniedWindow.rows >= DENIED_ROWS_PER_WINDOW) {
      if (deniedWindow.unrecorded === 0) log.warn({ cap: DENIED_ROWS_PER_WINDOW }, 'commands from non-admins: audit cap reached, the rest of this window is counted, not recorded');
      deniedWindow.unrecorded += 1;
      return;
    }
    deniedWindow.rows += 1;
    const before = mine?.unrecorded ?? 0;
    const command = body.length > DENIED_TEXT_MAX ? `${body.slice(0, DENIED_TEXT_MAX)}…` : body;
    const detail = before > 0 ? `not an admin (and ${before} more commands from this sender in the previous window, not recorded)` : 'not an admin';
    audit.record({ at: now, actor, door: 'whatsapp', command, outcome: 'denied', detail });
    // Sampled: more from this sender in this window are counted (in its next audit row), not logged.
    log.warn({ sender: actor, command: displaySafe(body.slice(0, 60)) }, 'command from a non-admin ignored');
  }

  function remember(actor: string, now: number): void {
    deniedBySender.delete(actor); // re-inserted last: the map stays oldest-first
    if (deniedBySender.size >= MAX_TRACKED_SENDERS) {
      // Equivalent survivors, not marked (a mark would hide killed mutants): the condition as `false` or `>`; stale
      // entries are the oldest (the map is kept oldest-first), so the loop below drops them first anyway.
      for (const [key, entry] of deniedBySender) if (now - entry.since >= DENIED_WINDOW_MS) deniedBySender.delete(key);
      for (const key of deniedBySender.keys()) {
        if (deniedBySender.size < MAX_TRACKED_SENDERS) break;
        deniedBySender.delete(key);
      }
    }
    deniedBySender.set(actor, { since: now, unrecorded: 0 });
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
