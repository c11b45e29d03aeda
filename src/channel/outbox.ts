import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Channel, ConfirmedPost, EditResult, OutgoingPost, PostEdit } from './channel.js';
import { createStatusHolder } from './status-holder.js';

/** One line of `outbox.jsonl`. */
export interface OutboxLine {
  /** The channel's short name (NEWSDESK_CHANNEL_NAME), as templates and webhooks call it. */
  channel: string;
  articleId: number;
  text: string;
  postedAt: string;
  messageId: string;
  /** An image post: the image's URL (`text` is its caption). */
  image?: string;
  /** An edit (a correction): the id of the message whose text is now `text`. `messageId` is that same id. */
  editOf?: string;
}

/** WhatsApp lets a channel's admins edit a post for 30 days (see WHATSAPP.md); the dry run applies the same window. */
export const OUTBOX_EDIT_WINDOW_MS = 30 * 86_400_000;

/** How much of the file's end a read-back looks at: dozens of posts at the 4,096-character cap. */
const TAIL_BYTES = 256 * 1024;

export interface OutboxOptions {
  file: string;
  clock: Clock;
  /** The short name written on a line whose post names no channel (the default channel). Default `main`. */
  channelName?: string;
  /** Where a human-readable copy of each post goes (stdout in a dry run). */
  echo?: (text: string) => void;
  /** How long after a post it may still be edited. Default OUTBOX_EDIT_WINDOW_MS. */
  editWindowMs?: number;
}

/**
 * The dry-run channel: each post is appended to a JSON-lines file (fsynced) and echoed. Confirmation
 * reads the file's tail back, the same way the WhatsApp adapter reads the channel back, so the
 * dispatcher's confirm-and-reconcile path is exercised without a phone.
 */
export function createOutboxChannel(options: OutboxOptions): Channel {
  const { file, clock } = options;
  const channelName = options.channelName ?? 'main';
  const status = createStatusHolder(clock, { state: 'starting' });

  return {
    name: 'outbox',
    async start() {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      repairTornLine(file);
      status.set({ state: 'ready', detail: `dry run: posts go to ${file}` });
    },
    status: status.get,
    onStatus: status.subscribe,
    info: () => ({ id: 'outbox', name: `Dry run (${path.basename(file)})`, inviteLink: null }),

    async send(post: OutgoingPost): Promise<string> {
      const messageId = `outbox-${post.articleId}-${randomUUID().slice(0, 8)}`;
      const line: OutboxLine = {
        channel: post.channel ?? channelName,
        articleId: post.articleId,
        text: post.text,
        postedAt: new Date(clock.now()).toISOString(),
        messageId,
        ...(post.image ? { image: post.image.url } : {}),
      };
      appendDurably(file, `${JSON.stringify(line)}\n`);
      // The channel is named once there are several (a post to another channel than the default one).
      const what = `${line.channel === channelName ? '' : ` · channel ${line.channel}`}${post.image ? ` · image ${post.image.url}` : ''}`;
      options.echo?.(`── outbox · article ${post.articleId}${what} · ${line.postedAt} ──\n${post.text}\n`);
      return messageId;
    },

    async findPost(post: OutgoingPost): Promise<ConfirmedPost | null> {
      const lines = readTail(file);
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const line = lines[i]!;
        // On the post's channel only: the same article goes to several channels with the same text.
        if (line.articleId === post.articleId && line.text === post.text && (post.channel === undefined || (line.channel ?? channelName) === post.channel)) {
          // Equivalent survivor, not marked (a mark would hide killed mutants): the test as `false`; an edit line's messageId is its editOf, and it has no image.
          if (line.editOf) return { messageId: line.editOf, postedAt: Date.parse(line.postedAt) };
          return { messageId: line.messageId, postedAt: Date.parse(line.postedAt), ...(line.image === undefined ? {} : { hasMedia: true }) };
        }
      }
      return null;
    },

    /**
     * Appends an edit line (`editOf`) for a post still in the file's tail and inside the edit window;
     * otherwise the post cannot be edited, as WhatsApp would answer for a message it no longer has or
     * that is too old.
     */
    async editPost(edit: PostEdit): Promise<EditResult> {
      const original = readTail(file).find(
        // Equivalent survivor, not marked (a mark would hide killed mutants): the channel test as `true`; message ids are unique across channels.
        (line) => line.messageId === edit.messageId && line.editOf === undefined && (edit.channel === undefined || (line.channel ?? channelName) === edit.channel),
      );
      if (!original) return { kind: 'not-editable', reason: 'the message was not found on the channel' };
      const now = clock.now();
      if (now - Date.parse(original.postedAt) > (options.editWindowMs ?? OUTBOX_EDIT_WINDOW_MS)) {
        return { kind: 'not-editable', reason: 'the message is older than the edit window' };
      }
      const line: OutboxLine = { channel: edit.channel ?? channelName, articleId: edit.articleId, text: edit.text, postedAt: new Date(now).toISOString(), messageId: edit.messageId, editOf: edit.messageId };
      appendDurably(file, `${JSON.stringify(line)}\n`);
      options.echo?.(`── outbox · article ${edit.articleId} · edit of ${edit.messageId} · ${line.postedAt} ──\n${edit.text}\n`);
      return { kind: 'edited', messageId: edit.messageId };
    },

    async stop() {
      status.set({ state: 'stopped' });
    },
  };
}

function appendDurably(file: string, data: string): void {
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A kill during a write can leave half a line; end it so the next post starts on a line of its own. */
function repairTornLine(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) {
      fs.writeSync(fd, '\n', size);
      fs.fsyncSync(fd);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses the last TAIL_BYTES of the file; torn or foreign lines are skipped. */
export function readTail(file: string, bytes = TAIL_BYTES): OutboxLine[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    // Stryker disable next-line ArithmeticOperator: a larger buffer only adds NUL bytes after the last newline, an unparseable line that is skipped
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // first line is probably cut
    const out: OutboxLine[] = [];
    for (const raw of lines) {
      // Stryker disable next-line ConditionalExpression: an empty line fails JSON.parse and is skipped the same way
      if (!raw) continue;
      try {
        const parsed = JSON.parse(raw) as Partial<OutboxLine>;
        if (typeof parsed.articleId === 'number' && typeof parsed.text === 'string' && typeof parsed.messageId === 'string') {
          out.push(parsed as OutboxLine);
        }
      } catch {
        // A torn line from a kill mid-write: it was never confirmed, so skipping it is correct.
      }
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
