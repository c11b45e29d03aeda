import type { ZodError } from 'zod';

/** One validation problem: the field it is about (empty for the input as a whole) and what to fix. */
export interface Problem {
  field: string;
  message: string;
}

/** Every issue as `{ field, message }`; unknown keys become one problem each, named by the key. */
export function problemsOf(error: ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      // zod's own message names every key at once; ours (the schema's) gives the list of real fields.
      const hint = issue.message.startsWith('Unrecognized') ? '' : `: ${issue.message}`;
      for (const key of issue.keys) problems.push({ field: field ? `${field}.${key}` : key, message: `unknown field "${key}"${hint}` });
      continue;
    }
    // Our messages name their field; zod's defaults ("Invalid input: …") do not.
    const message = field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
    problems.push({ field, message });
  }
  return problems;
}
