import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { childEnv, logged, MAIN, ROOT, startBot } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

// No Docker engine in CI: these tests read the Dockerfile for the facts production depends on, then run
// its CMD as a real child process from the repo root, the way the image's WORKDIR /app runs it.

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/**
 * Splits a Dockerfile into instructions: joins `\` continuations, drops comments and blank lines
 * (also inside continuations, as Docker does). Enough for the files we write; not the full grammar
 * (no `escape` directive, no heredocs).
 */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continues = /\\\s*$/.test(raw);
    const content = continues ? raw.replace(/\\\s*$/, '') : raw;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(content.trim());
    if (continues) return;
    const joined = pending.parts.join(' ');
    const match = /^(\S+)\s*(.*)$/s.exec(joined);
    if (!match) throw new Error(`line ${pending.line}: cannot parse "${joined}"`);
    instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = null;
  });
  if (pending) throw new Error('Dockerfile ends inside a line continuation');
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from: words[0]!, name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    } else if (instruction.keyword !== 'ARG') {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
    }
  }
  return stages;
}

/** The exec (JSON) form of CMD/ENTRYPOINT, or null for the shell form. */
function execForm(args: string): string[] | null {
  if (!args.startsWith('[')) return null;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`not a JSON string array: ${args}`);
  return parsed;
}

/** Variables set by ENV in a stage, in both `ENV K=V K2="V 2"` and legacy `ENV K V` forms. */
function envOf(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
      const [, key, value] = /^(\S+)\s+(.*)$/s.exec(args) ?? [];
      if (key) env.set(key, value ?? '');
      continue;
    }
    for (const [, key, quoted, plain] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g)) {
      env.set(key!, quoted ?? plain ?? '');
    }
  }
  return env;
}

const args = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
/** The words of each RUN command, with `&&` chains split apart. */
const runCommands = (stage: Stage) => args(stage, 'RUN').flatMap((run) => run.split(/&&|;/).map((c) => c.trim().split(/\s+/)));
const aptInstalls = (stage: Stage) => runCommands(stage).filter((words) => words[0] === 'apt-get' && words.includes('install'));

const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = stagesOf(parseDockerfile(dockerfile));
const build = stages[0]!;
const runtime = stages.at(-1)!;
const cmd = execForm(args(runtime, 'CMD').at(-1) ?? '');

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, both on node:24-bookworm-slim (Node 20 reached its end of life)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toBe('node:24-bookworm-slim');
    expect(build.name).toBeDefined();
    // The runtime stage takes the build's output, not the build's toolchain.
    const copiesFromBuild = args(runtime, 'COPY').filter((a) => a.includes(`--from=${build.name}`));
    expect(copiesFromBuild.some((a) => /\/app\/dist\b/.test(a))).toBe(true);
    expect(copiesFromBuild.some((a) => /\/app\/node_modules\b/.test(a))).toBe(true);
    expect(aptInstalls(runtime).flat()).not.toContain('g++');
  });

  it('installs dependencies without downloading a browser, builds, then drops dev dependencies', () => {
    const npmCi = build.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    const skip = build.instructions.findIndex((i) => i.keyword === 'ENV' && /\bPUPPETEER_SKIP_DOWNLOAD=true\b/.test(i.args));
    expect(npmCi).toBeGreaterThanOrEqual(0);
    expect(skip).toBeGreaterThanOrEqual(0);
    expect(skip).toBeLessThan(npmCi);
    // npm ci runs the `prepare` build script: it must be in the image before npm ci.
    const copiesScripts = build.instructions.findIndex((i) => i.keyword === 'COPY' && /^scripts\b/.test(i.args));
    expect(copiesScripts).toBeGreaterThanOrEqual(0);
    expect(copiesScripts).toBeLessThan(npmCi);
    const buildRuns = args(build, 'RUN').join('\n');
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    expect(buildRuns).toMatch(/\bnpm prune --omit=dev\b|\bnpm ci\b.*--omit=dev/);
    // better-sqlite3 needs a compiler when no prebuilt binary fits.
    expect(aptInstalls(build).flat()).toEqual(expect.arrayContaining(['python3', 'make', 'g++']));
  });

  it('installs Debian chromium and tini, lean, and cleans the apt lists in the same layer', () => {
    const packages = aptInstalls(runtime).flat();
    expect(packages).toEqual(expect.arrayContaining(['chromium', 'tini', 'fonts-noto-color-emoji']));
    for (const stage of stages) {
      for (const install of aptInstalls(stage)) {
        expect(install).toContain('--no-install-recommends');
        expect(install).toContain('-y');
      }
      for (const run of args(stage, 'RUN').filter((r) => r.includes('apt-get update'))) {
        expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
      }
    }
  });

  it('sets the environment the app and puppeteer read', () => {
    expect(Object.fromEntries(envOf(runtime))).toMatchObject({
      PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium',
      PUPPETEER_SKIP_DOWNLOAD: 'true',
      NODE_ENV: 'production',
      NEWSDESK_DATA_DIR: '/app/data',
    });
    expect(args(runtime, 'WORKDIR').at(-1)).toBe('/app');
  });

  it('runs as a non-root user with /app/data owned by it and on a volume', () => {
    const user = args(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    const volumes = args(runtime, 'VOLUME').flatMap((v) => execForm(v) ?? v.split(/\s+/));
    expect(volumes).toContain('/app/data');
    expect(args(runtime, 'RUN').join('\n')).toMatch(new RegExp(`chown[^\\n]*\\b${user!.split(':')[0]}\\b[^\\n]*/app/data`));
  });

  it('starts under tini with the same command as `npm start`, and stops on SIGTERM', () => {
    const entrypoint = execForm(args(runtime, 'ENTRYPOINT').at(-1) ?? '');
    expect(entrypoint).not.toBeNull();
    expect(path.basename(entrypoint![0]!)).toBe('tini');
    expect(entrypoint).toContain('-s'); // a subreaper under `docker run --init` / compose `init: true`
    expect(entrypoint).toContain('--');
    expect(cmd).toEqual(['node', 'dist/main.js']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(cmd!.join(' '));
    expect(args(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('serves HTTP on all interfaces inside the container, exposes the port, and checks /healthz', () => {
    const env = envOf(runtime);
    expect(env.get('NEWSDESK_HTTP_HOST')).toBe('0.0.0.0');
    expect(args(runtime, 'EXPOSE')).toEqual([env.get('NEWSDESK_HTTP_PORT')]);
    const healthcheck = args(runtime, 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]).toMatch(/CMD \["node", "-e", ".*\/healthz/);
  });

  it('has a compose file with the volume, the env file, a private port, init, a restart policy and a stop grace period', () => {
    const compose = fs.readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8');
    for (const line of [
      /^\s+init: true/m,
      /^\s+restart: unless-stopped/m,
      /^\s+stop_grace_period: 60s/m,
      /^\s+- "127\.0\.0\.1:8080:8080"/m,
      /^\s+- newsdesk-data:\/app\/data/m,
    ]) {
      expect(compose).toMatch(line);
    }
    // A fresh clone has no newsdesk.env: the file is optional, so Compose starts and the bot says what to set.
    expect(compose).toMatch(/^\s+env_file:\n\s+- path: newsdesk\.env\s*(#.*)?\n\s+required: false/m);
    expect(compose).toMatch(/cp newsdesk\.env\.example newsdesk\.env/);
  });

  it('has a newsdesk.env.example that lists every setting, whose placeholder channel is refused with a clear message', () => {
    const example = fs.readFileSync(path.join(ROOT, 'newsdesk.env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#?\s*(NEWSDESK_[A-Z_]+)=/gm)].map((m) => m[1]!));
    const settings = [...fs.readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8').matchAll(/^ {2}(NEWSDESK_[A-Z_]+):/gm)].map((m) => m[1]!);
    expect(settings.length).toBeGreaterThanOrEqual(27);
    expect(settings.filter((s) => !listed.has(s))).toEqual([]);
    expect(listed.has('NEWSDESK_LOG_FORMAT')).toBe(true);

    // What Compose hands the bot from a copy filled in by no one.
    const env: Record<string, string> = {};
    for (const [, key, value] of example.matchAll(/^(NEWSDESK_[A-Z_]+)=(.*)$/gm)) env[key!] = value!;
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['NEWSDESK_CHANNEL']);
    expect((error as ConfigError).message).toMatch(/NEWSDESK_CHANNEL: must be a channel id like .*@newsletter or an invite link like https:\/\/whatsapp\.com\/channel\//);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/\/$/, ''))
      .filter((l) => l && !l.startsWith('#'));
    // data/ holds the WhatsApp session; a stale dist/ (with its .tsbuildinfo) could skip the build.
    expect(ignored).toEqual(expect.arrayContaining(['data', 'node_modules', 'dist', '.env', '.git']));
  });
});

/** Resolves as `promise` does, or rejects after `ms`: no test waits on a hung child for ever. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('the image CMD, run as a process from the repo root (as from WORKDIR /app)', () => {
  it('is the script the process helpers start', () => {
    expect(cmd![0]).toBe('node');
    expect(path.resolve(ROOT, cmd![1]!)).toBe(MAIN);
  });

  it('starts a dry run and stops cleanly with exit code 0 on SIGTERM', async () => {
    const data = tempDir('newsdesk-docker-');
    const bot = startBot([...cmd!.slice(2), '--dry-run'], childEnv({ NEWSDESK_DATA_DIR: data }));
    await bot.waitForLine(logged('newsdesk started'), 20_000);
    expect(bot.lines.find(logged('newsdesk started'))?.json).toMatchObject({ dryRun: true, dataDir: data });

    const closed = once(bot.child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    bot.child.kill('SIGTERM');
    const [code, signal] = await within(closed, 20_000, 'exit after SIGTERM');
    expect({ code, signal }, bot.stderr.join('\n')).toEqual({ code: 0, signal: null });
    const messages = bot.lines.map((l) => l.json?.msg);
    expect(messages.indexOf('newsdesk stopped')).toBeGreaterThan(messages.indexOf('newsdesk started'));
    expect(fs.existsSync(path.join(data, 'newsdesk.db'))).toBe(true);
  });

  it('refuses to start without NEWSDESK_CHANNEL unless --dry-run: exit code 2, the variable named', async () => {
    const data = tempDir('newsdesk-docker-');
    const bot = startBot(cmd!.slice(2), childEnv({ NEWSDESK_DATA_DIR: data }));
    const [code] = await within(once(bot.child, 'close'), 20_000, 'exit without a channel');
    expect(code).toBe(2);
    expect(bot.stderr.join('\n')).toContain('NEWSDESK_CHANNEL');
    expect(fs.readdirSync(data)).toEqual([]); // nothing was started: no database, no session
  });
});
