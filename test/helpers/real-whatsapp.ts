import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildFakeWhatsAppWeb, DEFAULT_OPTIONS, type FakeOptions } from '../fake-whatsapp-web/build.js';
import type { FakeControl } from '../fake-whatsapp-web/control.js';
import { childEnv, jsonLine, MAIN, ROOT, runCli } from './processes.js';

/**
 * The real whatsapp-web.js in the real Chromium, against the fake WhatsApp Web page
 * (test/fake-whatsapp-web). The bot is started as users start it; two things are test-only:
 * - NEWSDESK_CHROMIUM_PATH points at a two-line wrapper that adds `--host-resolver-rules=MAP * ~NOTFOUND`
 *   (no network, whatever the machine has) and `--remote-debugging-port=<port>` on loopback, then execs
 *   Debian's chromium with the bot's own arguments (same pid: the profile lock names it);
 * - the harness drives the page through that DevTools port (`window.fakeWhatsApp`).
 */

export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN = '60123456789';
export const ADMIN_LID = '111111111111111';
export const STRANGER = '60199999999';
export const API_TOKEN = 'real-whatsapp-test-token-0123456789';
export const CHANNEL = DEFAULT_OPTIONS.channel;

/** Fails (never skips) without Chromium, with the line that installs it. */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: these tests run the real whatsapp-web.js in Debian's Chromium. Install it with: apt-get install -y chromium`);
  }
}

export interface RealSetup {
  dataDir: string;
  cacheDir: string;
  version: string;
  /** The DevTools port of every browser this setup's bot launches. */
  port: number;
  wrapper: string;
  /** The bot's environment (clean of the developer's NEWSDESK_*), plus `extra`. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
}

/** Builds the fake page into `<root>/wa-web`, the Chromium wrapper, and the bot's environment. */
export async function prepareRealWhatsApp(root: string, options: { fake?: Partial<FakeOptions>; target?: 'id' | 'invite' } = {}): Promise<RealSetup> {
  requireChromium();
  const cacheDir = path.join(root, 'wa-web');
  const dataDir = path.join(root, 'data');
  const { version } = await buildFakeWhatsAppWeb(cacheDir, options.fake);
  const port = await freePort();
  const wrapper = path.join(root, 'chromium.sh');
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ${CHROMIUM} '--host-resolver-rules=MAP * ~NOTFOUND' --remote-debugging-address=127.0.0.1 --remote-debugging-port=${port} "$@"\n`,
    { mode: 0o755 },
  );
  const channel = options.target === 'invite' ? `https://whatsapp.com/channel/${CHANNEL.inviteCode}` : CHANNEL.id;
  return {
    dataDir,
    cacheDir,
    version,
    port,
    wrapper,
    env: (extra = {}) =>
      childEnv({
        NEWSDESK_DATA_DIR: dataDir,
        NEWSDESK_CHANNEL: channel,
        NEWSDESK_WA_WEB_VERSION: version,
        NEWSDESK_WA_WEB_CACHE_DIR: cacheDir,
        NEWSDESK_CHROMIUM_PATH: wrapper,
        NEWSDESK_ADMINS: `+${ADMIN}`,
        NEWSDESK_MIN_GAP_SECONDS: '0',
        NEWSDESK_JITTER_SECONDS: '0',
        NEWSDESK_MAX_POSTS_PER_HOUR: '0',
        NEWSDESK_SEND_TIMEOUT_SECONDS: '5',
        NEWSDESK_READY_TIMEOUT_SECONDS: '30',
        NEWSDESK_API_TOKEN: API_TOKEN,
        NEWSDESK_LOG_LEVEL: 'debug',
        ...extra,
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Args<K extends keyof FakeControl> = Parameters<FakeControl[K]>;
type Result<K extends keyof FakeControl> = Awaited<ReturnType<FakeControl[K]>>;

/**
 * The fake page of whichever browser the bot runs now, over the DevTools port. A call that finds no
 * page (the browser is being replaced, the page reloads) reconnects and tries again until `timeoutMs`.
 */
export interface FakePage {
  call<K extends keyof FakeControl>(name: K, ...args: Args<K>): Promise<Result<K>>;
  /** Polls `read` until `ok` holds; the last value is in the error otherwise. */
  until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
  /** Evaluates in the page, for what the control does not cover (e.g. `location.reload()`). */
  page(): Promise<Page>;
  close(): Promise<void>;
}

export function connectFake(port: number, defaultTimeoutMs = 60_000): FakePage {
  let browser: Browser | null = null;
  let current: Page | null = null;

  async function findPage(): Promise<Page> {
    if (current && !current.isClosed() && browser?.isConnected()) return current;
    await browser?.close().catch(() => undefined);
    browser = null;
    current = null;
    const b = await chromium.connectOverCDP(`http://127.0.0.1:${port}`, { timeout: 5_000 });
    browser = b;
    const page = b
      .contexts()
      .flatMap((c) => c.pages())
      .find((p) => p.url().startsWith('https://web.whatsapp.com'));
    if (!page) throw new Error('no WhatsApp Web page in the browser yet');
    current = page;
    return page;
  }

  async function callOnce<K extends keyof FakeControl>(name: K, args: Args<K>): Promise<Result<K>> {
    const page = await findPage();
    return (await page.evaluate(
      async ([n, a]) => {
        const control = (globalThis as unknown as { fakeWhatsApp?: Record<string, (...x: unknown[]) => unknown> }).fakeWhatsApp;
        if (!control) throw new Error('fake WhatsApp Web not loaded yet');
        return await control[n as string]!(...(a as unknown[]));
      },
      [name, args] as const,
    )) as Result<K>;
  }

  const fake: FakePage = {
    async call<K extends keyof FakeControl>(name: K, ...args: Args<K>): Promise<Result<K>> {
      const deadline = Date.now() + defaultTimeoutMs;
      for (;;) {
        try {
          return (await callOnce(name, args)) as Result<K>;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`fake WhatsApp Web: ${String(name)} failed: ${(err as Error).message}`, { cause: err });
          current = null;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async until(read, ok, what, timeoutMs = defaultTimeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        last = await read();
        if (ok(last as never)) return last as never;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    page: findPage,
    async close() {
      await browser?.close().catch(() => undefined);
      browser = null;
      current = null;
    },
  };
  return fake;
}

/** Pids of Chromium main processes using `profile` (their `--user-data-dir`), from /proc. */
export function browsersUsing(profile: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a === `--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) pids.push(Number(entry));
    } catch {
      // gone while we looked: not running, which is all we want to know
    }
  }
  return pids;
}

/** SIGKILLs every browser still using `profile` (cleanup after a test, by pid). */
export function killBrowsersUsing(profile: string): void {
  for (const pid of browsersUsing(profile)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface BotLine {
  raw: string;
  json: Record<string, unknown> | null;
}

/** `node dist/main.js` as users start it; no vitest hooks, so files can share one bot (kill it in afterAll). */
export interface RealBot {
  child: ChildProcess;
  lines: BotLine[];
  waitForLine(match: (line: BotLine) => boolean, what: string, ms?: number): Promise<BotLine>;
  /** Lines after `from` (an index into `lines`) that match. */
  count(match: (line: BotLine) => boolean, from?: number): number;
  exited: Promise<number | null>;
  /** The HTTP server's URL once started. */
  httpUrl(): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnRealBot(env: NodeJS.ProcessEnv): RealBot {
  const child = spawn(process.execPath, [MAIN], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: BotLine[] = [];
  const waiters = new Set<{ match: (l: BotLine) => boolean; resolve: (l: BotLine) => void }>();
  const onLine = (raw: string) => {
    const line = { raw, json: jsonLine(raw) };
    lines.push(line);
    for (const w of [...waiters]) {
      if (!w.match(line)) continue;
      waiters.delete(w);
      w.resolve(line);
    }
  };
  readline.createInterface({ input: child.stdout! }).on('line', onLine);
  readline.createInterface({ input: child.stderr! }).on('line', (raw) => lines.push({ raw: `[stderr] ${raw}`, json: null }));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const bot: RealBot = {
    child,
    lines,
    exited,
    waitForLine(match, what, ms = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (l: BotLine) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no log line "${what}" within ${ms} ms; last lines:\n${lines.slice(-40).map((l) => l.raw).join('\n')}`));
        }, ms);
        waiters.add(waiter);
      });
    },
    count: (match, from = 0) => lines.slice(from).filter(match).length,
    async httpUrl() {
      const line = await bot.waitForLine((l) => l.json?.msg === 'newsdesk started', 'newsdesk started');
      return String(line.json!.http);
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return bot;
}

/** Matches a JSON log line by its `msg` (exactly, or by a pattern). */
export const msg = (m: string | RegExp) => (line: BotLine) =>
  typeof line.json?.msg === 'string' && (typeof m === 'string' ? line.json.msg === m : m.test(line.json.msg));

/** An article as `newsdesk --json show <id>` tells it. */
export interface ShownArticle {
  article: { id: number; status: string; attempts: number };
  deliveries: { status: string; messageId: string | null }[];
}

/** Queues a breaking article with the CLI (as an editor would) and returns its id. */
export async function cliBreaking(env: NodeJS.ProcessEnv, line: string): Promise<number> {
  const result = await runCli(['--json', 'breaking', line], env);
  if (result.code !== 0) throw new Error(`newsdesk breaking failed (${result.code}): ${result.stdout}${result.stderr}`);
  return (JSON.parse(result.stdout) as { article: { id: number } }).article.id;
}

export async function cliShow(env: NodeJS.ProcessEnv, id: number): Promise<ShownArticle> {
  const result = await runCli(['--json', 'show', String(id)], env);
  if (result.code !== 0) throw new Error(`newsdesk show failed (${result.code}): ${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as ShownArticle;
}

/** After a test: the bot killed, its browser gone (it exits with the bot's pipe; killed if not), the folder removed. */
export async function cleanUp(parts: { bot?: RealBot | null; fake?: FakePage | null; setup?: RealSetup | null; root?: string }): Promise<void> {
  await parts.fake?.close();
  await parts.bot?.kill();
  if (parts.setup) {
    const profile = path.join(parts.setup.dataDir, 'session', 'session');
    const deadline = Date.now() + 5_000;
    while (browsersUsing(profile).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    killBrowsersUsing(profile);
  }
  if (!parts.root) return;
  try {
    fs.rmSync(parts.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  } catch (err) {
    // A leftover writer must not hide the failure that brought us here: say it, leave the folder.
    console.warn(`could not remove ${parts.root}: ${(err as Error).message}`);
  }
}

/** Starts the bot on a fresh data folder, scans the first QR code and waits for `ready`. */
export async function startAndScan(setup: RealSetup, extraEnv: Record<string, string> = {}): Promise<{ bot: RealBot; fake: FakePage }> {
  const bot = spawnRealBot(setup.env(extraEnv));
  const fake = connectFake(setup.port);
  await fake.until(() => fake.call('state'), (s) => s.qr !== null, 'the first QR code');
  await fake.call('scan');
  await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'WhatsApp ready');
  return { bot, fake };
}

/** Matches the dispatcher's line `text` about article `id`. */
export const about = (id: number, text: string | RegExp) => (line: BotLine) => line.json?.articleId === id && msg(text)(line);
