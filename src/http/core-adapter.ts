import type { CommandCore } from '../commands/command-core.js';
import type { Problem } from '../commands/problems.js';
import type { Actor, CommandResult } from '../commands/types.js';
import type { ApiCore, ApiOutcome, ApiResult } from './api-core.js';

export interface ApiCoreOptions {
  /** The bot's one command core: every API call runs through it. */
  commands: CommandCore;
}

/**
 * The HTTP API's view of the command core. Reads and state changes are the core's own commands,
 * run as text built only from validated numbers and enum words (`show 12`, `list failed 20`), so they
 * go through the same handlers and audit log as WhatsApp and the CLI. Enqueue takes structured input
 * (no "headline | summary | link" text, which a "|" in a headline would break) through the core's
 * runStructured().
 */
export function createApiCore(options: ApiCoreOptions): ApiCore {
  const { commands } = options;
  const run = async (text: string, actor: Actor): Promise<ApiResult> => fromCommand(await commands.run(text, actor));
  return {
    async enqueue(body, actor) {
      const result = await commands.runStructured('enqueue', body, actor);
      if (result.status === 'ok') {
        const outcome = result.data.outcome as ApiOutcome;
        return { ...result, outcome };
      }
      return fromCommand(result);
    },
    // The cursor is checked against /^[A-Za-z0-9_-]+$/ by the route: it stays one word of the command.
    list: ({ filter, limit, offset, cursor }, actor) =>
      run(`list ${filter} ${limit}${offset === undefined ? '' : ` --offset ${offset}`}${cursor === undefined ? '' : ` --cursor ${cursor}`}`, actor),
    show: (id, actor) => run(`show ${id}`, actor),
    cancel: (id, actor) => run(`cancel ${id}`, actor),
    retry: (id, actor) => run(`retry ${id}`, actor),
    // Structured, like enqueue: a "|" in a corrected headline cannot split it.
    correct: async (id, body, actor) =>
      fromCommand(await commands.runStructured('correct', typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, id } : body, actor)),
    status: (actor) => run('status', actor),
    // Names reach the text commands only after the route's short-name check: one word, no spaces.
    channels: {
      list: (actor) => run('channel list', actor),
      add: async (body, actor) => {
        const result = fromCommand(await commands.runStructured('channel-add', body, actor));
        return result.outcome === 'done' ? { ...result, outcome: 'created' } : result;
      },
      update: async (name, body, actor) =>
        fromCommand(await commands.runStructured('channel-set', typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, name } : body, actor)),
      remove: (name, force, actor) => run(`channel remove ${name}${force ? ' force' : ''}`, actor),
    },
  };
}

/** The API's outcome for a command's result; a refusal's reason picks 404, 409 or 400. */
function fromCommand(result: CommandResult): ApiResult {
  if (result.status === 'ok') return { ...result, outcome: 'done' };
  if (result.status === 'error') return { ...result, outcome: 'failed' };
  if (result.reason === 'conflict' || result.reason === 'not-found') return { ...result, outcome: result.reason };
  return { ...result, outcome: 'bad-input', problems: problemsFrom(result) };
}

function problemsFrom(result: CommandResult): Problem[] {
  const raw = result.data.problems;
  if (!Array.isArray(raw) || raw.length === 0) return [{ field: '', message: result.text }];
  return raw.map((p: unknown) =>
    typeof p === 'string' ? { field: '', message: p } : { field: String((p as Problem).field ?? ''), message: String((p as Problem).message ?? p) },
  );
}
