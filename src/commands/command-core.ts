import * as z from 'zod';
import { ZodError } from 'zod';
import { FormatError } from '../articles/format.js';
import { displaySafe } from '../articles/text-safety.js';
import { retryWhileBusy } from '../store/busy-retry.js';
import { errorDetail, type Logger } from '../log.js';
import { backupCommand } from './handlers/backup.js';
import { enqueueSpec } from './handlers/enqueue-structured.js';
import { feedCommand, feedsCommand } from './handlers/feeds.js';
import { problemsOf, type Problem } from './problems.js';
import { breakingCommand, queueCommand, scheduleCommand } from './handlers/enqueue.js';
import { templateCommand } from './handlers/template.js';
import { linksCommand } from './handlers/template-links.js';
import { templatePreviewCommand } from './handlers/template-preview.js';
import { webhooksCommand } from './handlers/webhooks.js';
import { correctCommand, correctSpec } from './handlers/correct.js';
import { auditCommand, listCommand, logCommand, showCommand, statusCommand } from './handlers/inspect.js';
import { channelAddSpec, channelSetSpec, channelsCommand, deskChannelsQuery } from './handlers/channels.js';
import { cancelCommand, pauseCommand, resumeCommand, retryCommand } from './handlers/manage.js';
import { DESK_QUERIES, postNowCommand, rescheduleCommand } from './handlers/desk.js';
import { invalid, ok, type Actor, type CommandContext, type CommandResult, type CommandSpec, type StructuredSpec } from './types.js';

/** The longest command text accepted; longer input is refused before any parsing. */
export const MAX_COMMAND_LENGTH = 12_000;

const helpArgs = z
  .string()
  // Equivalent survivor, not marked (a mark would hide killed mutants): without trim(); the core passes the words after the name trimmed.
  .trim()
  .regex(/^[a-z-]*$/i, 'takes one command name, e.g. "help queue"')
  .transform((s) => s.toLowerCase());

/**
 * One command core for every door (WhatsApp, CLI, HTTP API): parse, validate, run, audit. Nothing
 * thrown inside a command escapes: bad input is an `invalid` result with the usage line, anything else
 * an `error` result, and both are logged and audited.
 */
export function createCommandCore(ctx: CommandContext, log: Logger, extra: readonly CommandSpec<never>[] = []) {
  const specs = new Map<string, CommandSpec<unknown>>();
  const add = (spec: CommandSpec<never>) => specs.set(spec.name, spec as unknown as CommandSpec<unknown>);
  for (const spec of [
    queueCommand, breakingCommand, scheduleCommand, templatePreviewCommand, listCommand, showCommand, cancelCommand,
    retryCommand, pauseCommand, resumeCommand, statusCommand, logCommand, channelsCommand, auditCommand, backupCommand,
    feedsCommand, feedCommand, postNowCommand, rescheduleCommand, templateCommand, linksCommand, webhooksCommand, correctCommand,
  ] as CommandSpec<never>[]) add(spec);
  for (const spec of extra) add(spec);

  const helpCommand: CommandSpec<string> = {
    name: 'help',
    usage: 'help [command]',
    example: 'help schedule',
    summary: 'every command with a usage line and an example',
    args: helpArgs,
    run(name) {
      if (name) {
        // Stryker disable next-line ConditionalExpression,StringLiteral: help is registered in specs below, so the fallback never decides
        const spec = specs.get(name) ?? (name === 'help' ? helpCommand : undefined);
        if (!spec) return invalid(`There is no command "${name}". Send "help" for the list.`);
        return ok(`${spec.usage}\n${spec.summary}\nexample: ${spec.example}`, { command: describe(spec) });
      }
      const all = [...specs.values()]; // help itself is registered below, so it is already listed (last)
      return ok(
        `Commands (headline | summary | link; the summary may be left out):\n${all.map((s) => `• ${s.usage} — ${s.summary}`).join('\n')}\nSend "help <command>" for an example.`,
        { commands: all.map(describe) },
      );
    },
  };
  add(helpCommand as CommandSpec<never>);

  async function execute(text: string, actor: Actor): Promise<CommandResult> {
    const trimmed = text.trim();
    if (trimmed.length > MAX_COMMAND_LENGTH) {
      return invalid(`That message is ${trimmed.length} characters; commands may be at most ${MAX_COMMAND_LENGTH}.`);
    }
    // Equivalent survivors, not marked (a mark would hide killed mutants): either anchor dropped; the text is trimmed,
    // so the first run of non-spaces starts it and the greedy rest ends it.
    const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
    if (!match) return invalid('Send a command, e.g. "help".');
    const name = match[1]!.toLowerCase();
    // Stryker disable next-line StringLiteral: ([\s\S]*) always takes part in the match, so match[2] is never undefined
    const rest = match[2] ?? '';
    const spec = specs.get(name);
    if (!spec) return invalid(`Unknown command "${name.slice(0, 30)}". Send "help" for the list of commands.`, { command: name.slice(0, 30) });

    const parsed = spec.args.safeParse(rest);
    if (!parsed.success) return usageError(spec, parsed.error);
    try {
      return await whenFree(() => spec.run(parsed.data, ctx, actor), name);
    } catch (err) {
      if (err instanceof ZodError) return usageError(spec, err);
      if (err instanceof FormatError) return invalid(`${err.message}\nusage: ${spec.usage}`, { problems: [err.message], usage: spec.usage });
      return failed(name, actor, err);
    }
  }

  const structured = new Map<string, StructuredSpec<unknown>>([
    [enqueueSpec.name, enqueueSpec as StructuredSpec<unknown>],
    [correctSpec.name, correctSpec as StructuredSpec<unknown>],
    [channelAddSpec.name, channelAddSpec as StructuredSpec<unknown>],
    [channelSetSpec.name, channelSetSpec as StructuredSpec<unknown>],
  ]);
  const queries = new Map<string, StructuredSpec<unknown>>([...DESK_QUERIES, deskChannelsQuery as StructuredSpec<never>].map((q) => [q.name, q as StructuredSpec<unknown>]));

  async function executeStructured(spec: StructuredSpec<unknown>, body: unknown, actor: Actor): Promise<CommandResult> {
    try {
      const parsed = spec.input(ctx).safeParse(body);
      if (!parsed.success) return refusedWith(spec.name, problemsOf(parsed.error));
      return await whenFree(() => spec.run(parsed.data, ctx, actor), spec.name);
    } catch (err) {
      if (err instanceof ZodError) return refusedWith(spec.name, problemsOf(err));
      if (err instanceof FormatError) return refusedWith(spec.name, [{ field: '', message: err.message }]);
      return failed(spec.name, actor, err);
    }
  }

  /**
   * Runs a handler; when another process holds the database's write lock, runs it again after an
   * asynchronous pause (busy-retry.ts) instead of blocking the event loop, so /healthz, WhatsApp and
   * other requests carry on meanwhile.
   */
  function whenFree(run: () => CommandResult | Promise<CommandResult>, name: string): Promise<CommandResult> {
    return retryWhileBusy(run, {
      onBusy: (attempt, delayMs) => log.debug({ command: name, attempt, delayMs }, 'database locked by another process; waiting'),
    });
  }

  function failed(name: string, actor: Actor, err: unknown): CommandResult {
    log.error({ command: name, actor: actor.id, door: actor.door, ...errorDetail(err) }, 'command failed');
    const message = err instanceof Error ? err.message : String(err);
    return { status: 'error', text: `"${name}" failed: ${message}. Nothing was changed; try again or check the logs.`, data: { error: message } };
  }

  /** Records how a command ended; a failing audit write is logged, never turned into a failed command. */
  async function audited(command: string, actor: Actor, result: CommandResult): Promise<CommandResult> {
    try {
      await retryWhileBusy(() => ctx.audit.record({
        at: ctx.clock.now(),
        actor: actor.id,
        door: actor.door,
        command,
        outcome: result.status === 'ok' ? 'ok' : result.status === 'invalid' ? 'rejected' : 'error',
        detail: result.status === 'ok' ? null : result.text,
      }));
    } catch (err) {
      log.error({ ...errorDetail(err) }, 'could not write the audit log');
    }
    return result;
  }

  return {
    /** Runs one command (without any "/" or "!" prefix) for `actor` and records it in the audit log. */
    async run(text: string, actor: Actor): Promise<CommandResult> {
      return shown(await audited(text.trim(), actor, await execute(text, actor)));
    },
    /**
     * Runs a command whose input is structured data (a JSON body): validated with every problem listed
     * as `{ field, message }`, run by the same handlers, audited as `<name> <json>`.
     */
    async runStructured(name: string, body: unknown, actor: Actor): Promise<CommandResult> {
      const spec = structured.get(name);
      if (!spec) return shown(await audited(name, actor, invalid(`Unknown command "${name.slice(0, 30)}".`)));
      return shown(await audited(`${name} ${describeInput(body)}`, actor, await executeStructured(spec, body, actor)));
    },
    /**
     * Runs a read-only query (the desk's pages: queue, log, preview…) with the same validation and
     * error boundary as a command, but no audit entry: it changes nothing, and a page that redraws on
     * every change would otherwise fill the audit log with page views.
     */
    async query(name: string, input: unknown, actor: Actor): Promise<CommandResult> {
      const spec = queries.get(name);
      if (!spec) return shown(invalid(`Unknown query "${name.slice(0, 30)}".`));
      return shown(await executeStructured(spec, input, actor));
    },
    /** Whether `name` is a command (for telling commands from chatter). */
    has: (name: string) => specs.has(name.toLowerCase()),
    specs: () => [...specs.values()],
  };
}

export type CommandCore = ReturnType<typeof createCommandCore>;

/**
 * The result with its text safe for a terminal and a WhatsApp reply: stored text (older rows, audit
 * entries of refused commands) and echoed input may hold control or text-direction characters.
 * `data` (--json, the API) keeps the exact values; JSON escapes control characters itself.
 */
function shown(result: CommandResult): CommandResult {
  const text = displaySafe(result.text);
  // Equivalent survivor, not marked (a mark would hide the killed `true`): `false` returns a copy with the same text.
  return text === result.text ? result : { ...result, text };
}

function refusedWith(name: string, problems: Problem[]): CommandResult {
  return invalid(`${name}: ${problems.map((p) => p.message).join('; ')}`, { problems });
}

/** The input as one line for the audit log (which cuts it at 2,000 characters). */
function describeInput(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body); // a parsed JSON body always serialises; this only guards odd callers
  }
}

function describe(spec: CommandSpec<unknown>) {
  return { name: spec.name, usage: spec.usage, example: spec.example, summary: spec.summary };
}

function usageError(spec: CommandSpec<unknown>, error: ZodError): CommandResult {
  const problems = error.issues.map((i) => i.message); // our messages name their field
  const unique = [...new Set(problems)];
  return invalid(`${spec.name}: ${unique.join('; ')}\nusage: ${spec.usage}\nexample: ${spec.example}`, { problems: unique, usage: spec.usage });
}
