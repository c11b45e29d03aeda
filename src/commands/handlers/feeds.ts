import * as z from 'zod';
import { FeedSettingsError } from '../../feeds/errors.js';
import type { AddResult, FeedView } from '../../feeds/feed-service.js';
import { skippedTotal, type PollReport } from '../../feeds/poll/poll-report.js';
import { noArgs } from '../args.js';
import { invalid, ok, type CommandResult, type CommandSpec } from '../types.js';
import { formatTime } from '../when.js';

/** `feed add` options: `key=value` words after the URL. */
const OPTION_KEYS = ['category', 'priority', 'every', 'backfill', 'cap', 'include', 'exclude'] as const;
const words = (s: string) =>
  s
    .split(',')
    .map(
      // Stryker disable next-line MethodExpression: the option was split off at whitespace, so its words hold none to trim
      (w) => w.trim(),
    )
    .filter(Boolean);
function wholeNumber(key: string, value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new Error(`${key}= needs a whole number, e.g. ${key}=10`);
  return Number(value);
}

const feedArgs = z.string().transform((text, ctx) => {
  // Stryker disable next-line StringLiteral: an issue's code is never shown, only its message
  const refuse = (message: string) => ctx.addIssue({ code: 'custom', message });
  // Equivalent surviving mutant, not disabled (a Regex disable would also hide the killed /\S+/): /\s/ for /\s+/, as the empty words are filtered out.
  // Stryker disable next-line MethodExpression: trimmed text split at whitespace has no empty word (and '' gives [''] either way)
  const [sub = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const action = sub.toLowerCase();
  if (['remove', 'pause', 'resume', 'poll'].includes(action)) {
    if (rest.length !== 1 || !/^#?\d{1,9}$/.test(rest[0]!)) {
      refuse(`feed ${action} needs a feed id such as 3 (see "feeds")`);
      return z.NEVER;
    }
    return { action: action as 'remove' | 'pause' | 'resume' | 'poll', id: Number(rest[0]!.replace('#', '')) };
  }
  if (action !== 'add') {
    refuse(`"${sub.slice(0, 20)}" is not a feed action: use add, remove, pause, resume or poll`);
    return z.NEVER;
  }
  const [url, ...options] = rest;
  if (!url) {
    refuse('feed add needs the feed\'s URL');
    return z.NEVER;
  }
  const settings: Record<string, unknown> = {};
  let force = false;
  for (const option of options) {
    if (option.toLowerCase() === 'force') {
      force = true;
      continue;
    }
    const eq = option.indexOf('=');
    // Equivalent surviving mutants, not disabled (a disable would also hide the killed false and eq <= 0): true, eq >= 0 and a non-empty '' on
    // either of these two lines, as an option without "key=" gets an empty key or an empty value from the other line and is refused either way.
    const key = eq > 0 ? option.slice(0, eq).toLowerCase() : '';
    const value = eq > 0 ? option.slice(eq + 1) : '';
    if (!(OPTION_KEYS as readonly string[]).includes(key) || !value) {
      refuse(`"${option.slice(0, 30)}" is not an option: use ${OPTION_KEYS.map((k) => `${k}=…`).join(' ')} or force`);
      continue;
    }
    try {
      if (key === 'category') settings.category = value.replace(/_/g, ' ');
      else if (key === 'priority') settings.priority = value.toLowerCase();
      else if (key === 'every') settings.everyMinutes = wholeNumber('every', value);
      else if (key === 'backfill') settings.backfill = wholeNumber('backfill', value);
      else if (key === 'cap') settings.maxPerPoll = wholeNumber('cap', value);
      else settings[key] = words(value);
    } catch (err) {
      refuse((err as Error).message);
    }
  }
  return { action: 'add' as const, url, settings, force };
});

const health = (f: FeedView, zone: string, now: number): string => {
  if (f.health === 'paused') return 'paused';
  if (f.health === 'failing') return `failing ×${f.consecutiveFailures}: ${f.lastError ?? 'error'} · next try ${formatTime(f.nextPollAt, zone, now)}`;
  const last = f.lastSuccessAt === null ? 'not polled yet' : `last ok ${formatTime(f.lastSuccessAt, zone, now)}`;
  return `${last} · next ${formatTime(f.nextPollAt, zone, now)}`;
};

/** One line per feed: `#3 Guardian World · every 5 min · last ok 12:05 · next 12:10`. */
function feedLine(f: FeedView, zone: string, now: number): string {
  const extras = [f.category ? `category ${f.category}` : '', f.priority === 'breaking' ? 'breaking' : ''].filter(Boolean).join(', ');
  return `#${f.id} ${f.title ?? f.url} · every ${f.everyMinutes} min${extras ? ` · ${extras}` : ''} · ${health(f, zone, now)}`;
}

/** What a poll did, in a few lines. */
function describePoll(report: PollReport, zone: string, now: number): string {
  switch (report.status) {
    case 'not-modified':
      return 'Nothing new: the feed has not changed since the last poll.';
    case 'failed':
      return `The poll failed (${report.kind}): ${report.error}. Next try ${formatTime(report.nextPollAt, zone, now)}.`;
    case 'abandoned':
      return `The poll was stopped: ${report.reason}.`;
    case 'polled': {
      const skipped = Object.entries(report.skipped)
        .map(([reason, n]) => `${n} ${reason}`)
        .join(', ');
      const queued = report.queued.slice(0, 10).map((q) => `  #${q.articleId} ${q.headline}`);
      return [
        `${report.itemsInFeed} items: ${report.queued.length} queued, ${report.known} already known, ${skippedTotal(report.skipped)} skipped${skipped ? ` (${skipped})` : ''}.`,
        ...queued,
        report.queued.length > 10 ? `  … and ${report.queued.length - 10} more` : '',
        ...report.warnings.slice(0, 3).map((w) => `warning: ${w}`),
      ]
        .filter(Boolean)
        .join('\n');
    }
  }
}

export const feedsCommand: CommandSpec<string> = {
  name: 'feeds',
  usage: 'feeds',
  example: 'feeds',
  summary: 'every feed with its last success, last error and next poll',
  args: noArgs,
  run(_input, ctx) {
    const now = ctx.clock.now();
    const all = ctx.feeds.list();
    const text = all.length ? all.map((f) => feedLine(f, ctx.timezone, now)).join('\n') : 'No feeds yet. Add one with "feed add <url>".';
    return ok(text, { feeds: all });
  },
};

export const feedCommand: CommandSpec<z.output<typeof feedArgs>> = {
  name: 'feed',
  usage: 'feed add <url> [category=<name>] [priority=breaking] [every=<minutes>] [backfill=<n>] [cap=<n>] [include=a,b] [exclude=c] [force]  |  feed remove|pause|resume|poll <id>',
  example: 'feed add https://example.com/rss category=World every=10',
  summary: 'manage feeds: add (reads it at once, refused if that fails unless force; current stories are only marked seen unless backfill=n), remove, pause, resume, poll now',
  args: feedArgs,
  async run(input, ctx): Promise<CommandResult> {
    const now = ctx.clock.now();
    if (input.action === 'add') {
      let result: AddResult;
      try {
        result = await ctx.feeds.add(input.url, input.settings, { force: input.force });
      } catch (err) {
        if (err instanceof FeedSettingsError) return invalid(`${err.message}\nusage: ${feedCommand.usage}`, { problems: [err.message] });
        throw err;
      }
      if (result.status === 'exists') return invalid(`That feed is already #${result.feed.id}.`, { feed: result.feed }, 'conflict');
      if (result.status === 'refused') {
        const instead = result.advertisedFeed ? `\nThe page names its feed: feed add ${result.advertisedFeed}` : '';
        return invalid(
          `Not added: ${result.reason}.${instead}\nIf the feed is only down for now, add it anyway with "feed add ${result.url} force": it is retried with back-off.`,
          { url: result.url, kind: result.kind, problems: [result.reason], advertisedFeed: result.advertisedFeed },
        );
      }
      ctx.wake();
      const first = describePoll(result.poll, ctx.timezone, now);
      return ok(`Added feed #${result.feed.id} (${result.feed.title ?? result.feed.url}), polled every ${result.feed.everyMinutes} min.\nFirst poll: ${first}`, {
        feed: result.feed,
        poll: result.poll,
      });
    }
    const id = input.id;
    const missing = () => invalid(`There is no feed #${id}. Send "feeds" to see them.`, { id }, 'not-found');
    if (input.action === 'poll') {
      const report = await ctx.feeds.pollNow(id);
      if (!report) return missing();
      ctx.wake();
      return ok(describePoll(report, ctx.timezone, now), { poll: report });
    }
    const feed = input.action === 'remove' ? ctx.feeds.remove(id) : input.action === 'pause' ? ctx.feeds.pause(id) : ctx.feeds.resume(id);
    if (!feed) return missing();
    const verb = { remove: 'Removed', pause: 'Paused', resume: 'Resumed' }[input.action];
    return ok(`${verb} feed #${id} (${feed.title ?? feed.url}).`, { feed });
  },
};
