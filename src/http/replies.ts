import type { FastifyReply } from 'fastify';
import type { ZodError } from 'zod';
import type { ApiOutcome, ApiResult, Problem } from './api-core.js';
import { problemsOf } from '../commands/problems.js';

/** The HTTP status for each way a command can end. */
const STATUS: Record<ApiOutcome, number> = {
  created: 201,
  requeued: 201,
  existing: 200,
  done: 200,
  'bad-input': 400,
  'not-found': 404,
  conflict: 409,
  failed: 500,
};

/**
 * Sends a command's result: on success its `data` plus `message` (the text a person would read);
 * otherwise `{ error, problems?, …data }`, where `error` says what went wrong and what to do.
 */
export function sendResult(reply: FastifyReply, result: ApiResult): FastifyReply {
  const code = STATUS[result.outcome];
  if (result.status === 'ok') return reply.code(code).send({ ...result.data, message: result.text });
  if (result.outcome === 'bad-input') {
    const problems = result.problems ?? [];
    return reply.code(code).send({ ...result.data, error: badInputMessage(problems), problems });
  }
  return reply.code(code).send({ ...result.data, error: result.text });
}

/** A 400 for a request that failed validation before reaching the core (path or query). */
export function sendInvalid(reply: FastifyReply, error: ZodError): FastifyReply {
  const problems = problemsOf(error);
  return reply.code(400).send({ error: badInputMessage(problems), problems });
}

/** Sends `{ error }` with `code`. */
export function sendError(reply: FastifyReply, code: number, error: string): FastifyReply {
  return reply.code(code).send({ error });
}

function badInputMessage(problems: Problem[]): string {
  if (problems.length === 0) return 'the request is invalid; nothing was changed';
  const list = problems.map((p) => p.message).join('; ');
  return `${problems.length === 1 ? 'one problem' : `${problems.length} problems`}, nothing was changed: ${list}. Fix ${problems.length === 1 ? 'it' : 'them'} and send the request again`;
}
