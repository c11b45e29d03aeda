import { z, ZodError } from 'zod';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/articles/format.js';
import { createCommandCore, MAX_COMMAND_LENGTH } from '../../src/commands/command-core.js';
import { ok, type CommandSpec } from '../../src/commands/types.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';

/**
 * The command core's own promises, apart from any one command: help, the length limit, how each kind
 * of failure inside a handler becomes a reply, what is audited and what is not, and replies made safe
 * to print. Handlers that fail on purpose are added through the core's `extra` parameter.
 */

const API = { door: 'api', id: 'api' } as const;

/** A command whose run does what `act` says, registered beside the real ones. */
function probe(name: string, act: (input: string) => ReturnType<CommandSpec<string>['run']>): CommandSpec<never> {
  const spec: CommandSpec<string> = { name, usage: `${name} <anything>`, example: `${name} 1`, summary: 'a test command', args: z.string(), run: act };
  return spec as unknown as CommandSpec<never>;
}

function setupWith(...extra: CommandSpec<never>[]) {
  const t = commandSetup();
  return { ...t, core: createCommandCore(t.ctx, t.log, extra) };
}

describe('help', () => {
  it('help <command> answers its usage, summary and example, whatever the case', async () => {
    const t = commandSetup();
    const queue = t.core.specs().find((s) => s.name === 'queue')!;
    const result = await t.core.run('HELP Queue', ADMIN);
    expect(result).toMatchObject({ status: 'ok', text: `${queue.usage}\n${queue.summary}\nexample: ${queue.example}` });
    expect(result.data).toEqual({ command: { name: 'queue', usage: queue.usage, example: queue.example, summary: queue.summary } });
    expect((await t.core.run('help help', ADMIN)).text).toBe('help [command]\nevery command with a usage line and an example\nexample: help schedule');
  });

  it('help <command> answers for a command whose name has a hyphen (post-now)', async () => {
    const t = commandSetup();
    const result = await t.core.run('help post-now', ADMIN);
    expect(result.status).toBe('ok');
    expect(result.text.split('\n')[0]).toMatch(/^post-now /);
  });

  it('help lists every command once, help last, between a header and a footer', async () => {
    const t = commandSetup();
    const result = await t.core.run('help', ADMIN);
    const lines = result.text.split('\n');
    expect(lines[0]).toBe('Commands (headline | summary | link; the summary may be left out):');
    expect(lines.at(-1)).toBe('Send "help <command>" for an example.');
    expect(lines.at(-2)).toBe('• help [command] — every command with a usage line and an example');
    const names = (result.data.commands as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(t.core.specs().map((s) => s.name));
    expect(names.at(-1)).toBe('help');
    expect(lines).toHaveLength(names.length + 2);
    // Each line is a real command's usage: no entry without a name (a core made without extra commands).
    lines.slice(1, -1).forEach((line, i) => expect(line.startsWith(`• ${names[i]}`) && typeof names[i] === 'string').toBe(true));
    expect(new Set(names).size).toBe(names.length);
  });

  it('help with more than one word, or a non-word, is refused with its usage', async () => {
    const t = commandSetup();
    for (const text of ['help queue now', 'help 42']) {
      const result = await t.core.run(text, ADMIN);
      expect(result.status).toBe('invalid');
      expect(result.text).toBe('help: takes one command name, e.g. "help queue"\nusage: help [command]\nexample: help schedule');
    }
    expect((await t.core.run('help   queue  ', ADMIN)).status).toBe('ok');
  });
});

describe('reading a command', () => {
  it(`accepts exactly ${MAX_COMMAND_LENGTH} characters after trimming, and says the length of anything longer`, async () => {
    const t = setupWith(probe('echo', (input) => ok(`got ${input.length}`)));
    const fits = `echo ${'a'.repeat(MAX_COMMAND_LENGTH - 5)}`;
    expect((await t.core.run(`   ${fits}   `, ADMIN)).text).toBe(`got ${MAX_COMMAND_LENGTH - 5}`);
    const over = await t.core.run(`${fits}b`, ADMIN);
    expect(over).toMatchObject({ status: 'invalid', text: `That message is ${MAX_COMMAND_LENGTH + 1} characters; commands may be at most ${MAX_COMMAND_LENGTH}.` });
  });

  it('an unknown command is named, lower-cased and cut to 30 characters', async () => {
    const t = commandSetup();
    const result = await t.core.run(`${'Z'.repeat(40)} now`, ADMIN);
    expect(result).toMatchObject({ status: 'invalid', text: `Unknown command "${'z'.repeat(30)}". Send "help" for the list of commands.`, data: { command: 'z'.repeat(30) } });
  });

  it('the command name is matched in any case, and the rest goes to the command without the separating spaces', async () => {
    const t = setupWith(probe('echo', (input) => ok(`[${input}]`)));
    expect((await t.core.run('ECHO   two words ', ADMIN)).text).toBe('[two words]');
    expect((await t.core.run('echo', ADMIN)).text).toBe('[]');
    expect(t.core.has('ECHO')).toBe(true);
    expect(t.core.has('STATUS')).toBe(true);
    expect(t.core.has('publish')).toBe(false);
  });
});

describe('failures inside a command', () => {
  it('a validation error thrown by the handler is a refusal with each problem once, the usage and the example', async () => {
    const t = setupWith(
      probe('strict', () => {
        const issue = { code: 'custom' as const, message: 'count must be positive', path: [], input: '' };
        throw new ZodError([issue, issue, { ...issue, message: 'when is in the past' }]);
      }),
    );
    const result = await t.core.run('strict 1', ADMIN);
    expect(result).toEqual({
      status: 'invalid',
      reason: 'bad-input',
      text: 'strict: count must be positive; when is in the past\nusage: strict <anything>\nexample: strict 1',
      data: { problems: ['count must be positive', 'when is in the past'], usage: 'strict <anything>' },
    });
  });

  it('a FormatError is a refusal with its message and the usage', async () => {
    const t = setupWith(
      probe('fmt', () => {
        throw new FormatError('post would be 5000 characters');
      }),
    );
    expect(await t.core.run('fmt x', ADMIN)).toEqual({
      status: 'invalid',
      reason: 'bad-input',
      text: 'post would be 5000 characters\nusage: fmt <anything>',
      data: { problems: ['post would be 5000 characters'], usage: 'fmt <anything>' },
    });
  });

  it('anything else is an error reply naming the command and the cause, logged with the actor and door, and audited', async () => {
    const t = setupWith(
      probe('boom', () => {
        throw new Error('disk on fire');
      }),
      probe('odd', () => {
        throw 'plain string';
      }),
    );
    expect(await t.core.run('boom', API)).toEqual({
      status: 'error',
      text: '"boom" failed: disk on fire. Nothing was changed; try again or check the logs.',
      data: { error: 'disk on fire' },
    });
    const logged = t.entries.find((e) => e.msg === 'command failed');
    expect(logged?.level).toBe('error');
    expect(logged?.obj).toMatchObject({ command: 'boom', actor: 'api', door: 'api' });
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ command: 'boom', outcome: 'error', detail: '"boom" failed: disk on fire. Nothing was changed; try again or check the logs.' });
    expect((await t.core.run('odd', API)).data).toEqual({ error: 'plain string' });
  });
});

describe('a database locked by another process', () => {
  it('the command runs again after a pause, and the wait is logged with the command and the attempt', async () => {
    let calls = 0;
    const t = setupWith(
      probe('flaky', () => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        return ok('done');
      }),
    );
    expect((await t.core.run('flaky', ADMIN)).text).toBe('done');
    expect(calls).toBe(2);
    const waits = t.entries.filter((e) => e.msg === 'database locked by another process; waiting');
    expect(waits.map((e) => e.obj)).toEqual([{ command: 'flaky', attempt: 1, delayMs: expect.any(Number) }]);
  });
});

describe('the audit log', () => {
  it('records the trimmed command, the actor, the door and the outcome; details only for refusals and errors', async () => {
    const t = commandSetup();
    await t.core.run('  status  ', ADMIN);
    await t.core.run('cancel 999', API);
    const [refused, done] = t.ctx.audit.recent(2);
    expect(done).toMatchObject({ command: 'status', actor: ADMIN.id, door: 'whatsapp', outcome: 'ok', detail: null, at: t.clock.now() });
    expect(refused).toMatchObject({ command: 'cancel 999', actor: 'api', door: 'api', outcome: 'rejected', detail: expect.stringMatching(/There is no article #999/) });
  });

  it('a failing audit write is logged and the command still answers', async () => {
    const t = commandSetup();
    t.ctx.audit = {
      ...t.ctx.audit,
      record: () => {
        throw new Error('audit table gone');
      },
    };
    const core = createCommandCore(t.ctx, t.log);
    expect((await core.run('help help', ADMIN)).status).toBe('ok');
    const logged = t.entries.find((e) => e.msg === 'could not write the audit log');
    expect(logged?.level).toBe('error');
    expect(logged?.obj).toMatchObject({ err: { message: 'audit table gone' } });
  });
});

describe('structured commands and queries', () => {
  it('an unknown structured command is refused and audited under its name', async () => {
    const t = commandSetup();
    const result = await t.core.runStructured(`publish${'x'.repeat(40)}`, {}, API);
    expect(result).toMatchObject({ status: 'invalid', text: `Unknown command "publish${'x'.repeat(23)}".` });
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ command: `publish${'x'.repeat(40)}`, outcome: 'rejected' });
  });

  it('a structured command is audited with its input as JSON; a refusal lists every problem with its field', async () => {
    const t = commandSetup();
    const result = await t.core.runStructured('enqueue', { summary: 'no headline, no link' }, API);
    expect(result.status).toBe('invalid');
    const problems = result.data.problems as { field: string; message: string }[];
    expect(problems.map((p) => p.field)).toEqual(expect.arrayContaining(['headline', 'url']));
    expect(result.text).toBe(`enqueue: ${problems.map((p) => p.message).join('; ')}`);
    expect(t.ctx.audit.recent(1)[0]).toMatchObject({ command: 'enqueue {"summary":"no headline, no link"}', outcome: 'rejected' });
  });

  it('input that JSON cannot write is audited as text', async () => {
    const t = commandSetup();
    await t.core.runStructured('enqueue', undefined, API);
    expect(t.ctx.audit.recent(1)[0]?.command).toBe('enqueue undefined');
    await t.core.runStructured('enqueue', 10n, API);
    expect(t.ctx.audit.recent(1)[0]?.command).toBe('enqueue 10');
  });

  it('a validation error thrown inside a structured command is a refusal naming each field', async () => {
    const t = commandSetup();
    t.ctx.queue = {
      ...t.ctx.queue,
      enqueue: () => {
        throw new ZodError([{ code: 'custom', message: 'headline: already taken', path: ['headline'], input: '' }]);
      },
    };
    const core = createCommandCore(t.ctx, t.log);
    const result = await core.runStructured('enqueue', { headline: 'Floods', url: 'https://news.example.com/a' }, API);
    expect(result).toMatchObject({ status: 'invalid', text: 'enqueue: headline: already taken', data: { problems: [{ field: 'headline', message: 'headline: already taken' }] } });
  });

  it('a structured article whose post cannot be formatted is refused as a whole, not per field', async () => {
    const t = commandSetup();
    t.ctx.format = { ...t.ctx.format, breakingLabel: 'B'.repeat(5_000) };
    const result = await t.core.runStructured('enqueue', { headline: 'Floods', url: 'https://news.example.com/a', priority: 'breaking' }, API);
    expect(result.status).toBe('invalid');
    expect(result.data.problems).toEqual([{ field: '', message: expect.stringMatching(/^post would be \d+ characters, over the 4096 limit/) }]);
    expect(result.text).toMatch(/^enqueue: post would be/);
  });

  it('queries leave no audit entry, whatever their outcome; an unknown query is refused by name', async () => {
    const t = commandSetup();
    // This context has no desk wired: the query fails inside its handler, and the boundary answers.
    expect((await t.core.query('desk-status', {}, API)).text).toMatch(/^"desk-status" failed: the desk queries are not wired/);
    expect(await t.core.query(`nothing${'y'.repeat(40)}`, {}, API)).toMatchObject({ status: 'invalid', text: `Unknown query "nothing${'y'.repeat(23)}".` });
    const bad = await t.core.query('desk-status', { extra: 1 }, API);
    expect(bad.status).toBe('invalid');
    expect(bad.text).toMatch(/^desk-status: /);
    expect(t.ctx.audit.recent(10)).toEqual([]);
  });
});

describe('replies are safe to print', () => {
  it('control and text-direction characters in a reply are shown, not acted on; the data keeps them', async () => {
    const t = setupWith(probe('raw', () => ok('a\u001b[2Jb\u202ec', { value: 'a\u001b[2Jb' })));
    const result = await t.core.run('raw', ADMIN);
    expect(result.text).toBe('a\u241b[2Jb⟨U+202E⟩c');
    expect(result.data).toEqual({ value: 'a\u001b[2Jb' });
  });
});
