import type { ListFilter } from '../store/article-reports.js';
import type { Actor, CommandStatus } from '../commands/types.js';

/**
 * What the HTTP API needs from the command core. The HTTP layer owns this small interface; the
 * adapter in core-adapter.ts implements it over the one command core (same handlers, same audit log),
 * so the API is one more door, not a second core.
 */

/**
 * Why a refused or finished call ended the way it did, so the HTTP layer can pick a status code
 * without reading the human text:
 * - `created` / `requeued` / `existing`: what an enqueue did;
 * - `bad-input`: the request was wrong (400), with `problems`;
 * - `not-found`: no such article (404);
 * - `conflict`: the article exists but is in the wrong state for this (409);
 * - `done`: any other success; `failed`: something broke (500).
 */
export type ApiOutcome = 'created' | 'requeued' | 'existing' | 'bad-input' | 'not-found' | 'conflict' | 'done' | 'failed';

export type { Problem } from '../commands/problems.js';
import type { Problem } from '../commands/problems.js';

/** A command's result as the API sees it: the core's result plus the outcome the status code comes from. */
export interface ApiResult {
  status: CommandStatus;
  outcome: ApiOutcome;
  /** What a person reads (the WhatsApp reply / CLI text of the same command). */
  text: string;
  /** The same content for machines: the command's `data` (articleData shapes and all). */
  data: Record<string, unknown>;
  /** Every problem found, for `bad-input`. */
  problems?: Problem[];
}

/** The commands the HTTP API offers. Every call is run for `actor` and recorded in the audit log. */
export interface ApiCore {
  /** Validates a JSON article (every problem reported) and queues it; idempotent on the canonical URL. */
  enqueue(body: unknown, actor: Actor): Promise<ApiResult>;
  /** One page of articles; the answer's `nextCursor` (null on the last page) fetches the next. */
  list(query: { filter: ListFilter; limit: number; offset?: number; cursor?: string }, actor: Actor): Promise<ApiResult>;
  show(id: number, actor: Actor): Promise<ApiResult>;
  cancel(id: number, actor: Actor): Promise<ApiResult>;
  retry(id: number, actor: Actor): Promise<ApiResult>;
  /** Corrects a posted article (`{ headline, summary?, url }`): edits the post or posts a follow-up. */
  correct(id: number, body: unknown, actor: Actor): Promise<ApiResult>;
  status(actor: Actor): Promise<ApiResult>;
  /** The channel registry (issue 15); absent in cores that predate it (then /api/channels is not served). */
  channels?: {
    list(actor: Actor): Promise<ApiResult>;
    /** `{ target, name, categories?, feeds?, gap?, cap?, quiet?, digest?, top?, mode? }`; `created` when added. */
    add(body: unknown, actor: Actor): Promise<ApiResult>;
    /** Any of those fields but target and name, and `paused`. */
    update(name: string, body: unknown, actor: Actor): Promise<ApiResult>;
    /** `force` cancels the posts waiting there; otherwise they make it a conflict. */
    remove(name: string, force: boolean, actor: Actor): Promise<ApiResult>;
  };
}

/** The actor every API call runs as (the audit log's `api` door; queued articles get `api` as source). */
export const API_ACTOR: Actor = { door: 'api', id: 'api' };
