import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import wwebjs, { type Client, type ClientOptions } from 'whatsapp-web.js';
import { raceTimer, TIMED_OUT, type Clock } from '../clock.js';
import { errorDetail, errorMessage, type Logger } from '../log.js';

/** The part of whatsapp-web.js's Client Newsdesk uses; tests hand in a fake of the same shape. */
export type ClientLike = Pick<
  Client,
  | 'initialize'
  | 'destroy'
  | 'on'
  | 'removeAllListeners'
  | 'getChatById'
  | 'getChannelByInviteCode'
  | 'sendMessage'
  | 'info'
  | 'pupBrowser'
  | 'getContactLidAndPhone'
  | 'getNumberId'
>;

/**
 * Chromium flags for a container. `--no-sandbox` because the container is the sandbox (and Chromium's
 * own needs privileges a container rarely has); `--disable-dev-shm-usage` because Docker's /dev/shm is
 * 64 MB. Never `--single-process`: Chromium does not support it and it crashes under load.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The lock files Chromium leaves in a profile after an unclean stop. */
export const PROFILE_LOCKS = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'] as const;

export interface LaunchSettings {
  /** LocalAuth's dataPath. The browser profile lives in `<sessionDir>/session`. */
  sessionDir: string;
  /** The Chromium binary, e.g. Debian's /usr/bin/chromium. */
  chromiumPath: string;
  /** Pair by phone number (international digits) instead of a QR code. */
  pairingNumber?: string;
  /** Default true. False only to watch the browser while debugging. */
  headless?: boolean;
  /** A pinned WhatsApp Web build: `<cacheDir>/<version>.html` is served instead of the live page. */
  waWeb?: PinnedWhatsAppWeb;
}

/** NEWSDESK_WA_WEB_VERSION and NEWSDESK_WA_WEB_CACHE_DIR. */
export interface PinnedWhatsAppWeb {
  version: string;
  cacheDir: string;
}

/**
 * Where LocalAuth keeps the Chromium profile: `path.join(dataPath, 'session')` when no clientId is set
 * (whatsapp-web.js src/authStrategies/LocalAuth.js, beforeBrowserInitialized).
 */
export function profileDir(sessionDir: string): string {
  return path.join(path.resolve(sessionDir), 'session');
}

/** The whatsapp-web.js Client options Newsdesk launches with. */
export function buildClientOptions(settings: LaunchSettings): ClientOptions {
  const options: ClientOptions = {
    // LocalAuth sets puppeteer.userDataDir itself and refuses a different one: never set it here.
    authStrategy: new wwebjs.LocalAuth({ dataPath: path.resolve(settings.sessionDir) }),
    // The default 'local' cache writes ./.wwebjs_cache in the working directory (read-only in a
    // container) and, when a file for the library's default webVersion exists, pins the page to that
    // old copy. 'none' always loads the current WhatsApp Web, as the library does on a cache miss.
    webVersionCache: { type: 'none' },
    puppeteer: {
      headless: settings.headless ?? true,
      executablePath: settings.chromiumPath,
      args: [...CHROMIUM_ARGS],
      // DevTools over a pipe instead of a port: Chromium exits when the pipe closes, so a bot killed
      // outright (SIGKILL, OOM) never leaves its browser behind holding the profile in data/session.
      pipe: true,
      // Puppeteer's own signal handlers kill the browser (and on SIGINT exit the process) before
      // Newsdesk's shutdown has run; stop() closes the browser instead.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    },
  };
  if (settings.waWeb) {
    // A pinned build: the library intercepts https://web.whatsapp.com/ and answers with
    // <cacheDir>/<version>.html (src/webCache/LocalWebCache.js). `strict` makes a missing file an error
    // at start instead of a silent fall-back to the live page. Its other requests still go out.
    options.webVersion = settings.waWeb.version;
    options.webVersionCache = { type: 'local', path: settings.waWeb.cacheDir, strict: true };
  }
  if (settings.pairingNumber) options.pairWithPhoneNumber = { phoneNumber: settings.pairingNumber };
  return options;
}

/** The real whatsapp-web.js client. */
export function createRealClient(options: ClientOptions): Client {
  return new wwebjs.Client(options);
}

export interface RemovedLock {
  name: string;
  /** Where the symlink pointed (`<hostname>-<pid>` for SingletonLock), if it was one. */
  target: string | null;
}

/**
 * Removes Chromium's profile locks left behind by an unclean stop. SingletonLock is a symlink to
 * `<hostname>-<pid>`; in a new container the hostname differs and Chromium refuses the profile. The
 * links dangle, so `existsSync` (which follows them) says false: lstat and unlink instead.
 * Call only when no browser uses the folder: findProfileHolder first (one Newsdesk per data folder).
 */
export async function removeStaleProfileLocks(dir: string): Promise<RemovedLock[]> {
  const removed: RemovedLock[] = [];
  for (const name of PROFILE_LOCKS) {
    const file = path.join(dir, name);
    try {
      const stat = await fs.lstat(file);
      const target = stat.isSymbolicLink() ? await fs.readlink(file) : null;
      await fs.unlink(file);
      removed.push({ name, target });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no lock: the normal case
      throw err;
    }
  }
  return removed;
}


/** A Chromium still running on this host that holds the profile (its SingletonLock names it). */
export interface ProfileHolder {
  pid: number;
  /** The lock's target, `<hostname>-<pid>`. */
  lock: string;
}

/**
 * The browser that holds `dir`, if it is still alive: SingletonLock points at `<hostname>-<pid>`; the
 * holder is that pid when the hostname is this host's and the process is a Chromium main process whose
 * command line names this folder as its `--user-data-dir`. A lock from another host (an earlier
 * container), a dead pid or a pid reused by something else is stale: null.
 */
export async function findProfileHolder(dir: string, hostname: string = os.hostname()): Promise<ProfileHolder | null> {
  let lock: string;
  try {
    lock = await fs.readlink(path.join(dir, 'SingletonLock'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL') return null; // no lock, or not a symlink
    throw err;
  }
  const match = /^(.*)-(\d+)$/.exec(lock);
  if (!match || match[1] !== hostname) return null;
  const pid = Number(match[2]);
  let args: string[];
  try {
    args = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return null; // no such process (or no /proc to tell): the lock is stale
  }
  const profile = path.resolve(dir);
  const isBrowser = args.some((a) => a === `--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='));
  return isBrowser ? { pid, lock } : null;
}

/**
 * Ends a browser left holding the profile (a bot killed before it could close it): SIGTERM, so it
 * can flush the profile, then SIGKILL after `graceMs`. Resolves true once it is gone, false if it
 * outlived both (then the profile must not be touched).
 */
export async function endProfileHolder(holder: ProfileHolder, { clock, graceMs = 5_000 }: { clock: Clock; graceMs?: number }): Promise<boolean> {
  const alive = (): boolean => {
    try {
      process.kill(holder.pid, 0);
      return !isZombie(holder.pid);
    } catch {
      return false; // ESRCH: gone
    }
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    for (let waited = 0; waited < ms; waited += 100) {
      if (!alive()) return true;
      await new Promise<void>((resolve) => clock.setTimer(100, resolve));
    }
    return !alive();
  };
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      process.kill(holder.pid, signal);
    } catch {
      return true; // already gone
    }
    if (await waitGone(graceMs)) return true;
  }
  return false;
}

/** A killed process whose parent has not reaped it yet still answers kill(pid, 0). */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Closes a client's browser for sure, in bounded time, and never rejects: destroy(), SIGKILL if that
 * fails or hangs. A client whose initialize() is still launching has no browser to close yet, so
 * this waits (bounded) for `initializing` to settle and closes whatever it opened meanwhile.
 */
export async function closeClient(
  c: ClientLike,
  deps: { clock: Clock; log: Logger; timeoutMs: number; initializing?: Promise<void> },
): Promise<void> {
  await destroyWithin(c, deps);
  if (deps.initializing) await raceTimer(deps.clock, deps.timeoutMs, deps.initializing);
  const browser = c.pupBrowser;
  const proc = browser?.process();
  if (browser?.connected && (!proc || isRunning(proc))) await destroyWithin(c, deps);
}

async function destroyWithin(c: ClientLike, { clock, log, timeoutMs }: { clock: Clock; log: Logger; timeoutMs: number }): Promise<void> {
  const proc = c.pupBrowser?.process() ?? null;
  guardBrowserPipes(proc, log);
  try {
    if ((await raceTimer(clock, timeoutMs, c.destroy())) !== TIMED_OUT) return;
    log.warn({ timeoutMs }, 'closing the browser timed out; killing it');
  } catch (err) {
    // Often a second close racing the library's own (it calls destroy() itself after `disconnected`):
    // give that one time to finish before killing, so the profile is not cut off mid-write.
    log.warn(errorDetail(err), `closing the browser failed (${errorMessage(err)})`);
    if (proc && (await raceTimer(clock, timeoutMs, exited(proc))) !== TIMED_OUT) return;
  }
  if (proc && isRunning(proc)) {
    log.warn({ pid: proc.pid }, 'killing the browser process');
    proc.kill('SIGKILL');
  }
}

const guarded = new WeakSet<ChildProcess>();

/**
 * Keeps an error on the browser's DevTools pipes (fds 3 and 4, `pipe: true`) from ending the bot.
 * Puppeteer listens for those errors only while it is connected; once it has closed the connection
 * (the library's destroy() after a CONFLICT or a logout, or ours), Chromium going away makes Node 24
 * report `read ECONNRESET` on the pipe, an 'error' event nobody listens to, which kills the process.
 * The browser's end is handled elsewhere (the exit watch, recover()); here it is only logged.
 */
export function guardBrowserPipes(proc: ChildProcess | null | undefined, log: Logger): void {
  if (!proc || guarded.has(proc)) return;
  guarded.add(proc);
  // A process without stdio (a test's fake browser, or one launched without pipes) has nothing to guard.
  const pipes = (proc.stdio as ChildProcess['stdio'] | undefined)?.slice(3) ?? [];
  for (const stream of pipes) {
    stream?.on('error', (err: Error) => log.debug({ pid: proc.pid, error: err.message }, 'the DevTools pipe to Chromium closed with an error'));
  }
}

function isRunning(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (!isRunning(proc)) resolve();
    else proc.once('exit', () => resolve());
  });
}
