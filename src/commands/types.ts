import type * as z from 'zod';
import type { FormatOptions } from '../articles/format.js';
import type { ChannelInfo, ChannelStatus } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import type { FeedService } from '../feeds/feed-service.js';
import type { ArticleQueue } from '../store/article-queue.js';
import type { ArticleReports } from '../store/article-reports.js';
import type { AuditLog, Door } from '../store/audit-log.js';
import type { DeskStore } from '../store/desk-store.js';
import type { Settings } from '../store/settings.js';
import type { CorrectionsStore } from '../store/corrections-store.js';
import type { WebhookStore } from '../store/webhook-store.js';
import type { ChannelsStore } from '../store/channels-store.js';
import type { Editions } from './editions.js';

/** Who runs a command and through which door. `source` is what queued articles record as their origin. */
export interface Actor {
  door: Door;
  /** For the audit log: `admin:+60123456789`, `cli:editor`, `api`. */
  id: string;
}

/** What the running bot reports about itself (live in the bot; from its heartbeat in the CLI). */
export interface RuntimeStatus {
  running: boolean;
  dryRun: boolean;
  channel: ChannelStatus | null;
  channelInfo: ChannelInfo | null;
  /** When the bot will next look at the queue by itself, if it knows. */
  nextWakeAt: number | null;
  /** Why normal posting waits (quiet hours, hourly cap, gap) and until when; null when it does not. */
  waiting?: { reason: string; until: number; breakingMayGo: boolean } | null;
  /** The same per channel (several channels), when the bot runs in this process. */
  waitingByChannel?: Record<string, { reason: string; until: number; breakingMayGo: boolean }>;
  /** The last time the bot wrote its heartbeat (epoch ms). */
  heartbeatAt: number | null;
}

/** Everything a command may touch. Built once per door. */
export interface CommandContext {
  queue: ArticleQueue;
  reports: ArticleReports;
  audit: AuditLog;
  settings: Settings;
  clock: Clock;
  timezone: string;
  format: FormatOptions;
  /** The data folder; backups from WhatsApp go to `<dataDir>/backups`. */
  dataDir: string;
  /** The feed engine: the bot's (with its poller) or, in the CLI, one that only polls when asked. */
  feeds: FeedService;
  /** Writes a consistent copy of the database to `file` (which must not exist). */
  backup(file: string): void;
  /** Tells the posting loop to look now. From the CLI this is a no-op: the bot notices the write. */
  wake(): void;
  runtime(): RuntimeStatus;
  /** The desk's paged reads and its edits (reschedule, post now); absent where no door needs them. */
  desk?: DeskStore;
  /** Per-channel templates and tracked links, and the renderer posts go through (see editions.ts). */
  editions?: Editions;
  /** The webhook delivery log and the configured URLs (NEWSDESK_WEBHOOKS). */
  webhooks?: { store: WebhookStore; urls: readonly string[] };
  /**
   * Corrections of posted articles. `waitMs`: how long `correct` waits for the running bot to edit the
   * post or post the follow-up before answering that it is recorded (0: do not wait).
   */
  corrections?: { store: CorrectionsStore; waitMs: number };
  /** The channel registry (issue 15): the config channel and the ones added by `channel add`. */
  channels?: ChannelsStore;
}

/**
 * How a command ended. `invalid`: the input was wrong or the request cannot be met (nothing written;
 * CLI exit 2). `error`: something broke (CLI exit 1). `ok`: done (exit 0).
 */
export type CommandStatus = 'ok' | 'invalid' | 'error';

/** Why a command was refused, for doors that answer with codes (the HTTP API): no such article, wrong state, bad input. */
export type RefusalReason = 'not-found' | 'conflict' | 'bad-input';

export interface CommandResult {
  status: CommandStatus;
  /** For `invalid` results: why. */
  reason?: RefusalReason;
  /** What a person reads: the WhatsApp reply and the CLI's human output. */
  text: string;
  /** The same content for machines: the CLI's --json and the HTTP API. */
  data: Record<string, unknown>;
}

/** One admin command: its help, how its arguments are read, and what it does. */
export interface CommandSpec<Input = unknown> {
  name: string;
  usage: string;
  example: string;
  summary: string;
  /** Reads the text after the command name. Failing parses become `invalid` results with the usage line. */
  args: z.ZodType<Input, string>;
  /** May be async (feed commands fetch over the network). */
  run(input: Input, ctx: CommandContext, actor: Actor): CommandResult | Promise<CommandResult>;
}

/** A finished result. */
export const ok = (text: string, data: Record<string, unknown> = {}): CommandResult => ({ status: 'ok', text, data });
/** A refusal: nothing was written. */
export const invalid = (text: string, data: Record<string, unknown> = {}, reason: RefusalReason = 'bad-input'): CommandResult => ({
  status: 'invalid',
  reason,
  text,
  data,
});

/**
 * A command whose input arrives as structured data (a JSON body) rather than as text after a command
 * name: the same handlers and audit log, without squeezing fields through "headline | summary | link".
 */
export interface StructuredSpec<Input = unknown> {
  name: string;
  /** Reads the input; built per call because some checks need the clock ("must be in the future"). */
  input(ctx: CommandContext): z.ZodType<Input, unknown>;
  run(input: Input, ctx: CommandContext, actor: Actor): CommandResult | Promise<CommandResult>;
}
