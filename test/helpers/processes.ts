import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { onTestFinished } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const MAIN = path.join(ROOT, 'dist/main.js');
export const CLI = path.join(ROOT, 'dist/cli.js');

/** A clean environment for a child: no NEWSDESK_* from the developer's shell leaks in. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('NEWSDESK_')) env[k] = v;
  // Port 0: bots started side by side by parallel tests never fight over 8080.
  return { ...env, NEWSDESK_LOG_FORMAT: 'json', NEWSDESK_HTTP_PORT: '0', ...extra };
}

/** Runs the built CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd: ROOT, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningBot {
  child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far, JSON log lines parsed. */
  lines: { raw: string; json: Record<string, unknown> | null }[];
  stderr: string[];
  /** Resolves with the first line (past or future) that matches, or rejects after `ms`. */
  waitForLine(match: (line: { raw: string; json: Record<string, unknown> | null }) => boolean, ms?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** A log line as JSON, or null for the outbox echo and other plain lines. */
export function jsonLine(raw: string): Record<string, unknown> | null {
  if (!raw.startsWith('{')) return null;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Starts `node dist/main.js` (the command `npm start` and the Dockerfile run) with `args`. Killed after the test. */
export function startBot(args: string[], env: NodeJS.ProcessEnv): RunningBot {
  const child = spawn(process.execPath, [MAIN, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: RunningBot['lines'] = [];
  const stderr: string[] = [];
  const waiters: { match: (l: RunningBot['lines'][number]) => boolean; resolve: () => void }[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (raw) => {
    const json = jsonLine(raw);
    const line = { raw, json };
    lines.push(line);
    for (const w of [...waiters]) if (w.match(line)) w.resolve();
  });
  readline.createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    lines,
    stderr,
    exited,
    waitForLine(match, ms = 20_000) {
      if (lines.some(match)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line within ${ms} ms; stdout:\n${lines.map((l) => l.raw).join('\n')}\nstderr:\n${stderr.join('\n')}`)),
          ms,
        );
        waiters.push({ match, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

/** Matches a JSON log line by its `msg`. */
export const logged = (msg: string) => (line: { json: Record<string, unknown> | null }) => line.json?.msg === msg;
