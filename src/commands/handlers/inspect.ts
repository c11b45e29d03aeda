import * as z from 'zod';
import { formatPost } from '../../articles/format.js';
import { LIST_FILTERS, type ListCursor, type ListFilter } from '../../store/article-reports.js';
import { articleId, count, noArgs } from '../args.js';
import { articleData, articleLine } from '../describe.js';
import { invalid, ok, type CommandSpec } from '../types.js';
import { correctionData } from './correct.js';
import { formatTime } from '../when.js';
import type { ArticleChannel } from '../../store/article-channels.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type Ctx = Parameters<CommandSpec['run']>[1];

/** One channel's delivery of an article, for answers. */
function channelData(c: ArticleChannel) {
  return { channel: c.channel, status: c.status, attempts: c.attempts, messageId: c.messageId, postedAt: iso(c.postedAt), lastError: c.lastError };
}

/** `sport: posted 14:02 · 120…` for `show`. */
function channelLine(c: ArticleChannel, timezone: string, now: number): string {
  return `${c.channel}: ${c.status}${c.postedAt ? ` ${formatTime(c.postedAt, timezone, now)}` : ''}${c.messageId ? ` · ${c.messageId}` : ''}${c.lastError && c.status !== 'posted' ? ` · ${c.lastError}` : ''}`;
}

/** ` [main posted, sport queued]` in `list` for an article on several channels (nothing for one). */
function channelsSuffix(ctx: Ctx, id: number): string {
  const channels = ctx.queue.channelsOf(id);
  // Equivalent surviving mutants, not disabled (a disable would also hide the killed ones of the whole condition): true and <= 2 for < 2, some for every,
  // as an article has each channel once, so two or more channels always include one that is not the default.
  if (channels.length < 2 && channels.every((c) => c.channel === ctx.queue.defaultChannel)) return '';
  return ` [${channels.map((c) => `${c.channel} ${c.status}`).join(', ')}]`;
}

/** Deepest `--offset` accepted: far past any real queue, small enough for SQLite. */
const MAX_OFFSET = 1_000_000_000;

/**
 * `list` cursors are opaque to callers: the filter and the last row's sort key and id, base64url.
 * A cursor is only good for the filter it came from.
 */
export function encodeListCursor(filter: ListFilter, cursor: ListCursor): string {
  return Buffer.from(`${filter}.${cursor.key}.${cursor.id}`).toString('base64url');
}

function decodeListCursor(text: string): { filter: ListFilter; cursor: ListCursor } | null {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(text)) return null;
  const match = /^([a-z]+)\.(-?\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match || !(LIST_FILTERS as readonly string[]).includes(match[1]!)) return null;
  return { filter: match[1] as ListFilter, cursor: { key: Number(match[2]), id: Number(match[3]) } };
}

/** `--offset 100`, `--offset=100` and `offset=100` (the same for cursor): the name and the value, or null. */
function pagingOption(words: string[], index: number): { name: 'offset' | 'cursor'; value: string | undefined; used: number } | null {
  const match = /^(?:--)?(offset|cursor)(?:=(.*))?$/i.exec(words[index]!);
  if (!match || (!words[index]!.startsWith('--') && match[2] === undefined)) return null;
  const name = match[1]!.toLowerCase() as 'offset' | 'cursor';
  if (match[2] !== undefined) return { name, value: match[2], used: 1 };
  return { name, value: words[index + 1], used: 2 };
}

const listArgs = z.string().transform((text, ctx) => {
  // Equivalent surviving mutant, not disabled (a MethodExpression disable would also hide the killed one without filter): no .trim(), as filter(Boolean) drops the empty words at either end.
  // Stryker disable next-line Regex: the empty words /\s/ leaves between spaces are dropped by filter(Boolean)
  const words = text.trim().split(/\s+/).filter(Boolean);
  let filter: ListFilter = 'queued';
  let n = '';
  let offset: number | undefined;
  let cursorText: string | undefined;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    const lower = word.toLowerCase();
    const option = pagingOption(words, i);
    if (option) {
      i += option.used - 1;
      if (option.name === 'offset') {
        if (!option.value || !/^\d{1,10}$/.test(option.value) || Number(option.value) > MAX_OFFSET) {
          ctx.addIssue({ code: 'custom', message: 'the offset must be a whole number, e.g. --offset 100' });
          return z.NEVER;
        }
        offset = Number(option.value);
      } else {
        if (!option.value) {
          ctx.addIssue({ code: 'custom', message: 'the cursor is missing: give the nextCursor of the previous page, e.g. --cursor cG9zdGVkLjE3LjQy' });
          return z.NEVER;
        }
        cursorText = option.value;
      }
    } else if ((LIST_FILTERS as readonly string[]).includes(lower)) filter = lower as ListFilter;
    else if (/^\d+$/.test(word) && !n) n = word;
    else {
      ctx.addIssue({ code: 'custom', message: `"${word.slice(0, 30)}" is neither a status (${LIST_FILTERS.join(', ')}), a count, --offset <n> nor --cursor <c>` });
      return z.NEVER;
    }
  }
  const limit = count().safeParse(n);
  if (!limit.success) {
    // Stryker disable next-line StringLiteral,OptionalChaining: a failed count() always has a first issue with a message, and the issue code is read by no one
    ctx.addIssue({ code: 'custom', message: limit.error.issues[0]?.message ?? 'bad count' });
    return z.NEVER;
  }
  if (offset !== undefined && cursorText !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give --offset or --cursor, not both' });
    return z.NEVER;
  }
  let after: ListCursor | undefined;
  if (cursorText !== undefined) {
    const decoded = decodeListCursor(cursorText);
    if (!decoded) {
      ctx.addIssue({ code: 'custom', message: 'that cursor is not one a list answer gave (use its nextCursor as it is)' });
      return z.NEVER;
    }
    if (decoded.filter !== filter) {
      ctx.addIssue({ code: 'custom', message: `that cursor continues "list ${decoded.filter}", not "list ${filter}"` });
      return z.NEVER;
    }
    after = decoded.cursor;
  }
  return { filter, limit: limit.data, offset, after };
});

export const listCommand: CommandSpec<z.output<typeof listArgs>> = {
  name: 'list',
  usage: `list [${LIST_FILTERS.join('|')}] [n] [--offset <n> | --cursor <c>]`,
  example: 'list posted 5',
  summary: 'the newest n articles (default 10 queued, at most 100 a page) with id, status, time and headline; --cursor continues with the next page',
  args: listArgs,
  run({ filter, limit, offset, after }, ctx) {
    const now = ctx.clock.now();
    const { articles, next } = ctx.reports.page(filter, limit, now, { offset, after });
    const nextCursor = next ? encodeListCursor(filter, next) : null;
    const lines = articles.map((a) => articleLine(a, ctx.timezone, now) + channelsSuffix(ctx, a.id));
    const more = nextCursor ? `\nmore: list ${filter} ${limit} --cursor ${nextCursor}` : '';
    const text = lines.length ? `${filter} (${lines.length}):\n${lines.join('\n')}${more}` : `No ${filter === 'all' ? '' : `${filter} `}articles${offset || after ? ' on this page' : ''}.`;
    return ok(text, {
      filter,
      articles: articles.map((a) => ({ ...articleData(a), channels: ctx.queue.channelsOf(a.id).map(channelData) })),
      nextCursor,
      ...(offset === undefined ? {} : { offset }),
    });
  },
};

export const showCommand: CommandSpec<number> = {
  name: 'show',
  usage: 'show <id>',
  example: 'show 12',
  summary: 'one article, its formatted text, every delivery attempt and, once corrected, every version',
  args: articleId,
  run(id, ctx) {
    const article = ctx.queue.get(id);
    if (!article) return invalid(`There is no article #${id}. Use "list all" to see ids.`, { id }, 'not-found');
    const now = ctx.clock.now();
    const deliveries = ctx.queue.deliveriesOf(id);
    let text: string;
    try {
      text = formatPost(article, ctx.format);
    } catch (err) {
      text = `(cannot be formatted: ${(err as Error).message})`;
    }
    const details = ctx.corrections?.store.deliveryDetails(id) ?? new Map<number, string>();
    const channels = ctx.queue.channelsOf(id);
    // Equivalent surviving mutants, not disabled (a disable would also hide the killed ones of the whole condition): false for length > 1, every for some,
    // as an article has each channel once, so two or more channels always include one that is not the default.
    const several = channels.length > 1 || channels.some((c) => c.channel !== ctx.queue.defaultChannel);
    const attempts = deliveries.map(
      (d) =>
        `  ${d.attempt}. ${several ? `${d.channel} ` : ''}${formatTime(d.startedAt, ctx.timezone, now)} ${d.status}` +
        (d.messageId ? ` · ${d.messageId}` : '') +
        (d.error ? ` · ${d.error}` : '') +
        (details.has(d.id) ? ` · ${details.get(d.id)}` : ''),
    );
    const history = correctionHistory(ctx, id, now);
    const body = [
      articleLine(article, ctx.timezone, now),
      `source: ${article.source} · link: ${article.url}`,
      article.lastError ? `last error: ${article.lastError}` : '',
      '',
      text,
      '',
      // Each channel's own delivery, once it goes anywhere but the one default channel.
      several ? `channels:\n${channels.map((c) => `  ${channelLine(c, ctx.timezone, now)}`).join('\n')}` : '',
      attempts.length ? `attempts:\n${attempts.join('\n')}` : 'no attempts yet',
      ...history.lines,
    ].filter(
      // Stryker disable next-line ArithmeticOperator: blank lines come at most two in a row, between lines that are never blank, so either neighbour drops the same one
      (line, i, all) => line !== '' || all[i - 1] !== '',
    );
    return ok(body.join('\n'), {
      article: articleData(article),
      text,
      channels: channels.map(channelData),
      deliveries: deliveries.map((d) => ({ ...d, startedAt: iso(d.startedAt), finishedAt: iso(d.finishedAt), detail: details.get(d.id) ?? null })),
      ...history.data,
    });
  },
};

/** Every version of a corrected article and what became of each correction, for `show`. */
function correctionHistory(ctx: Parameters<CommandSpec['run']>[1], id: number, now: number): { lines: string[]; data: Record<string, unknown> } {
  const store = ctx.corrections?.store;
  // Stryker disable next-line ArrayDeclaration: without a store the next line returns before versions is read
  const versions = store?.versions(id) ?? [];
  if (!store || versions.length === 0) return { lines: [], data: {} };
  const corrections = store.ofArticle(id);
  const lines = ['', 'versions:'];
  for (const v of versions) {
    lines.push(`  v${v.version} ${formatTime(v.createdAt, ctx.timezone, now)} ${v.createdBy} · ${v.headline}${v.summary ? ` | ${v.summary}` : ''} | ${v.url}`);
    for (const c of corrections.filter((x) => x.version === v.version)) {
      const how =
        c.status === 'edited'
          ? `edited ${c.messageId}`
          : c.status === 'followed-up'
            ? `follow-up ${c.followUpMessageId} (${c.reason ?? 'not editable'})`
            : c.status === 'failed'
              ? `failed: ${c.lastError}`
              : `${c.status}${c.lastError ? ` · ${c.lastError}` : ''}`;
      lines.push(`     correction #${c.id}: ${how}`);
    }
  }
  return {
    lines,
    data: {
      versions: versions.map((v) => ({ ...v, createdAt: iso(v.createdAt) })),
      corrections: corrections.map(correctionData),
    },
  };
}

export const statusCommand: CommandSpec<string> = {
  name: 'status',
  usage: 'status',
  example: 'status',
  summary: 'connection, paused or not, counts by status, last post, next post and when',
  args: noArgs,
  run(_input, ctx) {
    const now = ctx.clock.now();
    const runtime = ctx.runtime();
    const counts = ctx.reports.counts(now);
    const last = ctx.reports.lastPosted();
    const next = ctx.reports.nextInLine();
    const paused = ctx.settings.isPaused();
    const connection = !runtime.running
      ? `bot not running${runtime.heartbeatAt ? ` (last seen ${formatTime(runtime.heartbeatAt, ctx.timezone, now)})` : ''}`
      : `${runtime.channel?.state ?? 'unknown'}${runtime.channel?.detail ? ` (${runtime.channel.detail})` : ''}`;
    const nextAt = next ? Math.max(next.publishAt, next.nextAttemptAt, runtime.nextWakeAt ?? 0) : null;
    const lines = [
      `WhatsApp: ${connection}${runtime.dryRun ? ' [dry run]' : ''}`,
      `Posting: ${paused ? 'PAUSED (send "resume")' : runtime.waiting && runtime.waiting.until > now ? `waiting: ${runtime.waiting.reason} until ${formatTime(runtime.waiting.until, ctx.timezone, now)}${runtime.waiting.breakingMayGo ? ' (breaking news still goes out)' : ''}` : 'on'}`,
      `Queue: ${counts.queued} queued, ${counts.scheduled} scheduled, ${counts.posting} posting, ${counts.posted} posted, ${counts.failed} failed, ${counts.cancelled} cancelled`,
      `Last post: ${last ? articleLine(last, ctx.timezone, now) : 'none yet'}`,
      `Next: ${next ? `${articleLine(next, ctx.timezone, now)}${nextAt && nextAt > now ? ` (not before ${formatTime(nextAt, ctx.timezone, now)})` : ''}` : 'nothing queued'}`,
    ];
    // Several channels: each one's deliveries (and, in the bot, why it waits).
    const byChannel = ctx.queue.countsByChannel();
    const names = [...new Set([...(ctx.channels?.list().map((c) => c.name) ?? []), ...Object.keys(byChannel)])];
    if (names.length > 1 || (names.length === 1 && names[0] !== ctx.queue.defaultChannel)) {
      lines.push(
        `Channels:\n${names
          .map((name) => {
            const c = byChannel[name] ?? {};
            const wait = runtime.waitingByChannel?.[name];
            const paused = ctx.channels?.get(name)?.paused ? ' PAUSED' : '';
            const waits = wait && wait.until > now ? ` · waiting: ${wait.reason} until ${formatTime(wait.until, ctx.timezone, now)}` : '';
            return `  ${name}${paused}: ${c.queued ?? 0} queued, ${c.posting ?? 0} posting, ${c.posted ?? 0} posted, ${c.failed ?? 0} failed, ${c.cancelled ?? 0} cancelled${waits}`;
          })
          .join('\n')}`,
      );
    }
    return ok(lines.join('\n'), {
      running: runtime.running,
      dryRun: runtime.dryRun,
      channel: runtime.channel ? { ...runtime.channel, since: iso(runtime.channel.since) } : null,
      paused,
      waiting: runtime.waiting && runtime.waiting.until > now ? { ...runtime.waiting, until: iso(runtime.waiting.until) } : null,
      counts,
      channels: ctx.queue.countsByChannel(),
      lastPost: last ? articleData(last) : null,
      next: next ? { article: articleData(next), notBefore: iso(nextAt) } : null,
    });
  },
};

export const logCommand: CommandSpec<number> = {
  name: 'log',
  usage: 'log [n]',
  example: 'log 20',
  summary: 'the newest n delivery attempts with outcome, message id, error and duration',
  args: count(10),
  run(limit, ctx) {
    const now = ctx.clock.now();
    const rows = ctx.reports.recentDeliveries(limit);
    const lines = rows.map((d) => {
      const took = d.finishedAt === null ? 'open' : `${((d.finishedAt - d.startedAt) / 1000).toFixed(1)} s`;
      return `${formatTime(d.startedAt, ctx.timezone, now)} #${d.articleId} try ${d.attempt} ${d.status} (${took})${d.messageId ? ` ${d.messageId}` : ''}${d.error ? ` · ${d.error}` : ''}`;
    });
    return ok(lines.length ? lines.join('\n') : 'No delivery attempts yet.', {
      deliveries: rows.map((d) => ({ ...d, startedAt: iso(d.startedAt), finishedAt: iso(d.finishedAt), durationMs: d.finishedAt === null ? null : d.finishedAt - d.startedAt })),
    });
  },
};

export const channelCommand: CommandSpec<string> = {
  name: 'channel',
  usage: 'channel',
  example: 'channel',
  summary: "the channel's name, id and invite link",
  args: noArgs,
  run(_input, ctx) {
    const info = ctx.runtime().channelInfo;
    if (!info) return ok('The channel is not known yet: the bot has not connected to WhatsApp.', { channel: null });
    return ok(`${info.name}\nid: ${info.id}\nlink: ${info.inviteLink ?? '(no invite link)'}`, { channel: info });
  },
};

export const auditCommand: CommandSpec<number> = {
  name: 'audit',
  usage: 'audit [n]',
  example: 'audit 20',
  summary: 'the newest n commands from every door: who, when, what, outcome',
  args: count(10),
  run(limit, ctx) {
    const now = ctx.clock.now();
    const entries = ctx.audit.recent(limit);
    const lines = entries.map((e) => `${formatTime(e.at, ctx.timezone, now)} ${e.door} ${e.actor} ${e.outcome}: ${e.command.slice(0, 60)}`);
    return ok(lines.length ? lines.join('\n') : 'The audit log is empty.', {
      entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    });
  },
};
