import type { ClientOptions } from 'whatsapp-web.js';
import type { Clock } from '../clock.js';
import { channelTarget, type ChannelTarget } from '../config.js';
import { errorDetail, errorMessage, type Logger } from '../log.js';
import { ChannelError, type Channel, type ChannelInfo, type ConfirmedPost, type EditResult, type LoginPrompt, type OutgoingPost, type PostEdit } from './channel.js';
import type { DirectMessages, IncomingMessage } from './direct-messages.js';
import { createStatusHolder } from './status-holder.js';
import { chatIdOfPhone, sendDirect, toIncoming } from './whatsapp-messages.js';
import { editOwnPost, findOwnPost, resolveChannel, sendImagePost, sendPost, type EditClient, type ResolvedChannel } from './whatsapp-channel.js';
import {
  buildClientOptions,
  closeClient,
  createRealClient,
  endProfileHolder,
  findProfileHolder,
  guardBrowserPipes,
  profileDir,
  removeStaleProfileLocks,
  type ClientLike,
  type PinnedWhatsAppWeb,
  type ProfileHolder,
} from './whatsapp-launch.js';
import {
  disconnectHint,
  formatDelay,
  formatPairingCode,
  isAccountBlocked,
  notFoundDetail,
  printPairingCodeToTerminal,
  printQrToTerminal,
  startFailureHint,
} from './whatsapp-operator.js';

export { buildClientOptions, CHROMIUM_ARGS, profileDir, removeStaleProfileLocks, type ClientLike, type PinnedWhatsAppWeb } from './whatsapp-launch.js';

export interface WhatsAppChannelOptions {
  /** The channel to post to (NEWSDESK_CHANNEL). */
  target: ChannelTarget;
  /** The default channel's short name (NEWSDESK_CHANNEL_NAME): posts naming it, or naming none, go to `target`. Default `main`. */
  channelName?: string;
  /**
   * Where another channel posts: its registry target (a `…@newsletter` id or an invite link), or null
   * when there is no such channel. Read on each post, so a channel added while running is found.
   */
  targetOf?: (name: string) => string | null;
  /** LocalAuth's dataPath; the Chromium profile lands in `<sessionDir>/session`. */
  sessionDir: string;
  /** Chromium binary (NEWSDESK_CHROMIUM_PATH). */
  chromiumPath: string;
  /** Pair with a code sent for this number (international digits) instead of a QR code. */
  pairingNumber?: string;
  /** A pinned WhatsApp Web build (NEWSDESK_WA_WEB_VERSION, NEWSDESK_WA_WEB_CACHE_DIR). Default: the live page. */
  waWeb?: PinnedWhatsAppWeb;
  clock: Clock;
  log: Logger;
  /** Shows a login QR code. Default: qrcode-terminal, small, on stdout. */
  printQr?: (qr: string) => void;
  /** Shows a pairing code (formatted `ABCD-EFGH`). Default: a framed line on stdout. */
  printPairingCode?: (code: string) => void;
  /** Builds the client. Default: whatsapp-web.js's Client. The seam tests use to hand in a fake. */
  createClient?: (options: ClientOptions) => ClientLike;
  /**
   * Watchdog: a client that has not become ready this long after launch (or after a login) is
   * destroyed and rebuilt. Paused while waiting for a person to scan or enter a code. Default 3 min.
   */
  readyTimeoutMs?: number;
  /** Delay before rebuilding a failed client: `initialMs`, doubling per failure up to `maxMs`. Default 5 s .. 5 min. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** How long destroy() may take before the browser process is killed. Default 15 s. */
  destroyTimeoutMs?: number;
  /** Default true. */
  headless?: boolean;
}

type RetryState = 'starting' | 'disconnected';

/** A channel the logged-in page cannot find is looked up again after 30 s, doubling up to 10 min. */
const LOOKUP_RETRY_FIRST_MS = 30_000;
const LOOKUP_RETRY_MAX_MS = 10 * 60_000;

/**
 * The WhatsApp Channel adapter: one whatsapp-web.js client at a time, rebuilt with backoff when it
 * fails to start, disconnects or never becomes ready. Posting is only possible while the status is
 * `ready`; everything a person must do (scan, enter a code, fix the channel id) is in the status detail.
 */
export function createWhatsAppChannel(options: WhatsAppChannelOptions): Channel & DirectMessages {
  const { target, clock, log } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 3 * 60_000;
  const backoffInitialMs = options.reconnect?.initialMs ?? 5_000;
  const backoffMaxMs = options.reconnect?.maxMs ?? 5 * 60_000;
  const destroyTimeoutMs = options.destroyTimeoutMs ?? 15_000;
  const createClient = options.createClient ?? createRealClient;
  const printQr = options.printQr ?? printQrToTerminal;
  const printPairingCode = options.printPairingCode ?? printPairingCodeToTerminal;
  const status = createStatusHolder(clock, { state: 'starting', detail: 'not started yet' });
  const pairing = Boolean(options.pairingNumber);

  let client: ClientLike | null = null;
  let channel: ResolvedChannel | null = null;
  /** The other channels looked up on this login, by short name, with the target they were looked up by. */
  const others = new Map<string, { raw: string; resolved: ResolvedChannel }>();
  const defaultName = options.channelName ?? 'main';

  /** The channel a post names: the default one, or another from the registry, looked up once per login (and again if its target changes). */
  async function channelFor(c: ClientLike, name: string | undefined): Promise<ResolvedChannel> {
    if (name === undefined || name === defaultName) return channel!;
    const raw = options.targetOf?.(name) ?? null;
    if (!raw) throw new ChannelError(`there is no channel named "${name}" to post to: see "channel list"`, false);
    const known = others.get(name);
    if (known?.raw === raw) return known.resolved;
    const found = await resolveChannel(c, channelTarget(raw)!);
    if (!found) {
      throw new ChannelError(
        `the channel "${name}" (${raw}) could not be found: check that the logged-in account is an admin of it and that the id or invite link is right ("channel list"); WhatsApp Web may also still be loading it`,
        true,
      );
    }
    others.set(name, { raw, resolved: found });
    return found;
  }
  let lastInfo: ChannelInfo | null = null;
  let started = false;
  let stopping: Promise<void> | null = null;
  let failures = 0; // consecutive, reset once ready
  let everReady = false; // a login prompt after this means the session was lost
  let promptsShown = 0;
  let cancelRetry: (() => void) | null = null;
  let cancelWatchdog: (() => void) | null = null;
  let lookupMisses = 0; // consecutive times the logged-in page could not find the channel
  let cancelLookup: (() => void) | null = null;
  const initializing = new WeakMap<ClientLike, Promise<void>>();
  const messageHandlers = new Set<(m: IncomingMessage) => void | Promise<void>>();
  let inboxChain: Promise<void> = Promise.resolve();
  let prompt: LoginPrompt | null = null;
  const retiring = new Set<Promise<void>>();

  const retryState = (): RetryState => (everReady ? 'disconnected' : 'starting');

  function relaunch(): void {
    launch().catch((err: unknown) => log.error(errorDetail(err), 'unexpected error while starting WhatsApp'));
  }

  async function launch(): Promise<void> {
    if (stopping) return;
    const dir = profileDir(options.sessionDir);
    // A browser an earlier run left behind (the bot was killed and its Chromium lived on) still holds
    // the profile: deleting its lock would let a second Chromium open the same profile, whose storage
    // it then cannot open ("Internal error opening backing store"), and WhatsApp Web never loads.
    let holder: ProfileHolder | null = null;
    try {
      holder = await findProfileHolder(dir);
    } catch (err) {
      log.warn({ ...errorDetail(err), dir }, 'could not read the Chromium profile lock');
    }
    if (holder) {
      log.warn({ dir, pid: holder.pid, lock: holder.lock }, `a Chromium left by an earlier run (pid ${holder.pid}) still holds the WhatsApp session folder; ending it`);
      if (!(await endProfileHolder(holder, { clock }))) {
        const detail = `Chromium pid ${holder.pid} still holds ${dir} and could not be ended: stop it (kill ${holder.pid}), then Newsdesk starts WhatsApp by itself`;
        log.error({ dir, pid: holder.pid }, detail);
        scheduleRelaunch(retryState(), detail);
        return;
      }
      log.info({ pid: holder.pid }, 'the leftover Chromium has ended');
    }
    if (stopping) return;
    try {
      const removed = await removeStaleProfileLocks(dir);
      if (removed.length > 0) log.info({ dir, removed }, `removed Chromium profile locks left by an unclean stop (${removed.map((r) => r.name).join(', ')})`);
    } catch (err) {
      log.warn({ ...errorDetail(err), dir }, 'could not remove stale Chromium profile locks: Chromium may refuse the profile');
    }
    if (stopping) return;

    let c: ClientLike;
    try {
      c = createClient(
        buildClientOptions({
          sessionDir: options.sessionDir,
          chromiumPath: options.chromiumPath,
          pairingNumber: options.pairingNumber,
          headless: options.headless,
          waWeb: options.waWeb,
        }),
      );
    } catch (err) {
      const hint = startFailureHint(err, options.chromiumPath);
      log.error({ ...errorDetail(err), hint }, `could not create the WhatsApp client: ${errorMessage(err)} (${hint})`);
      scheduleRelaunch(retryState(), `could not start: ${hint}`);
      return;
    }
    client = c;
    listen(c);
    armWatchdog(c, 'launch');
    status.set({ state: 'starting', detail: 'starting Chromium and loading WhatsApp Web' });

    // initialize() resolves once the page is up and the login prompt (or the saved session) is in
    // place, before `ready`; it rejects with Errors or plain strings ('auth timeout').
    const init = c.initialize();
    initializing.set(c, init.then(settled, settled));
    try {
      await init;
    } catch (err) {
      if (client !== c) return; // already replaced; retire() deals with its browser
      const hint = startFailureHint(err, options.chromiumPath);
      log.error({ ...errorDetail(err), hint }, `WhatsApp Web could not start: ${errorMessage(err)} (${hint})`);
      await recover(c, retryState(), `could not start: ${hint}`);
      return;
    }
    if (client === c) watchBrowserProcess(c);
  }

  function listen(c: ClientLike): void {
    const mine = () => client === c && !stopping;
    c.on('qr', (qr: string) => {
      if (mine()) onLoginPrompt('qr', qr);
    });
    c.on('code', (code: string) => {
      if (mine()) onLoginPrompt('code', code);
    });
    c.on('authenticated', () => {
      if (!mine()) return;
      promptsShown = 0;
      prompt = null;
      log.info({}, 'WhatsApp session authenticated; loading chats');
      status.set({ state: 'starting', detail: 'logged in; loading chats (this can take a minute or two)' });
      armWatchdog(c, 'login');
    });
    c.on('auth_failure', (message: string) => {
      // LocalAuth never emits this (a bad saved session shows up as `qr` again); logged in case it does.
      if (mine()) log.error({ message }, `WhatsApp rejected the saved session: ${message}`);
    });
    c.on('ready', () => {
      if (mine()) onReady(c).catch((err: unknown) => log.error(errorDetail(err), 'unexpected error after WhatsApp became ready'));
    });
    c.on('disconnected', (reason: string) => {
      if (mine()) onDisconnected(c, String(reason));
    });
    // `message` (not `message_create`): the bot's own sends never come back as commands.
    c.on('message', (msg) => {
      if (mine()) deliver(c, msg);
    });
    c.on('change_state', (state: string) => {
      if (mine()) log.debug({ state }, 'WhatsApp connection state changed');
    });
  }

  /** Hands messages on one at a time, in arrival order (an admin's "/queue" then "/cancel" stay in order). */
  function deliver(c: ClientLike, msg: Parameters<typeof toIncoming>[1]): void {
    if (messageHandlers.size === 0) return;
    inboxChain = inboxChain
      .then(async () => {
        const incoming = await toIncoming(c, msg);
        for (const handler of [...messageHandlers]) await handler(incoming);
      })
      .catch((err: unknown) => log.error({ ...errorDetail(err), from: msg.from }, 'could not handle an incoming message'));
  }

  /** The current client, when WhatsApp is connected (ready), for direct messages. */
  function connectedClient(): ClientLike {
    const c = client;
    if (!c || status.get().state !== 'ready') throw new ChannelError(`WhatsApp is not ready (${status.get().state})`, true);
    return c;
  }

  function onLoginPrompt(kind: 'qr' | 'code', value: string): void {
    // A person has to act now: no watchdog while waiting (the library refreshes QR and code itself).
    disarmWatchdog();
    promptsShown += 1;
    const lost = everReady;
    let detail: string;
    prompt = { kind, value: kind === 'code' ? formatPairingCode(value) : value, since: clock.now() };
    if (kind === 'qr') {
      tryPrint(() => printQr(value));
      detail = lost
        ? 'session lost: scan the QR code again'
        : 'scan the QR code printed in the terminal or shown at /login: on the phone open WhatsApp → Settings → Linked devices → Link a device';
    } else {
      const code = formatPairingCode(value);
      tryPrint(() => printPairingCode(code));
      const how = 'on the phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead';
      detail = `${lost ? 'session lost: ' : ''}enter the pairing code ${code} (${how})`;
      log.warn({ code }, `WhatsApp pairing code: ${code} (${how})`);
    }
    if (promptsShown === 1) {
      if (lost) log.error({}, `WhatsApp session lost: posting is paused until someone logs in again (${detail})`);
      else if (kind === 'qr') log.info({}, `WhatsApp needs a login: ${detail}`);
    }
    status.set({ state: 'waiting-for-login', detail });
  }

  async function onReady(c: ClientLike): Promise<void> {
    status.set({ state: 'starting', detail: 'connected; looking up the channel' });
    let found: ResolvedChannel | null;
    try {
      found = await resolveChannel(c, target);
    } catch (err) {
      if (client !== c) return;
      log.error(errorDetail(err), `looking up the channel failed: ${errorMessage(err)}`);
      await recover(c, 'disconnected', `looking up the channel failed: ${errorMessage(err)}`);
      return;
    }
    if (client !== c || stopping) return;
    disarmWatchdog();
    if (!found) {
      // The page answers "no such chat" for a network blip as well (getChat catches everything), so
      // the lookup is repeated on the same login with growing pauses: posting resumes by itself once
      // the channel loads, and a wrong setting stays visible as `failed` with the fix.
      lookupMisses += 1;
      const delayMs = Math.min(LOOKUP_RETRY_MAX_MS, LOOKUP_RETRY_FIRST_MS * 2 ** (lookupMisses - 1));
      const known = lastInfo;
      const detail = known
        ? `the channel "${known.name}" (${known.id}) could not be loaded after reconnecting (WhatsApp Web may still be loading it)`
        : notFoundDetail(target);
      log.error({ target: target.kind === 'id' ? target.id : target.link, misses: lookupMisses, retryInMs: delayMs }, detail);
      status.set({ state: known ? 'disconnected' : 'failed', detail: `${detail}; looking again in ${formatDelay(delayMs)}` });
      cancelLookup?.();
      cancelLookup = clock.setTimer(delayMs, () => {
        cancelLookup = null;
        if (client !== c || stopping) return;
        armWatchdog(c, 'channel lookup'); // a lookup that never answers rebuilds the browser
        onReady(c).catch((err: unknown) => log.error(errorDetail(err), 'unexpected error while looking up the channel'));
      });
      return;
    }
    lookupMisses = 0;
    channel = found;
    others.clear(); // looked up again on this login
    lastInfo = found.info;
    failures = 0;
    everReady = true;
    promptsShown = 0;
    const me = c.info?.wid?._serialized;
    if (found.role && found.role !== 'owner' && found.role !== 'admin') {
      log.warn({ role: found.role }, `the logged-in account is "${found.role}" of the channel, not its owner or an admin: posts will probably be refused`);
    }
    log.info({ channel: found.info, account: me }, `WhatsApp ready: posting to "${found.info.name}" (${found.info.id})`);
    status.set({ state: 'ready', detail: `posting to "${found.info.name}" (${found.info.id})` });
  }

  function onDisconnected(c: ClientLike, reason: string): void {
    if (reason === 'LOGOUT') {
      // The library deletes the saved session (LocalAuth.logout) under the running browser, then
      // re-injects into the same page. A fresh browser on the emptied profile is the clean way to a new
      // login prompt; it only links again when a person scans or types the code (never by itself).
      detach();
      const detail = pairing
        ? 'logged out from the phone: a new pairing code follows in a few seconds; enter it on the phone to link again'
        : 'logged out from the phone: a new QR code follows in a few seconds (terminal and /login); scan it to link again';
      log.error({ reason }, `WhatsApp session logged out; posting stopped (${detail})`);
      status.set({ state: 'logged-out', detail });
      void retire(c).then(() => {
        cancelRetry?.();
        cancelRetry = clock.setTimer(backoffInitialMs, () => {
          cancelRetry = null;
          relaunch();
        });
      });
      return;
    }
    if (isAccountBlocked(reason)) {
      detach();
      const detail = `WhatsApp blocked this account (${reason}); not reconnecting. See the ban-risk notes before using another number`;
      log.error({ reason }, detail);
      status.set({ state: 'failed', detail });
      void retire(c);
      return;
    }
    const hint = disconnectHint(reason);
    log.warn({ reason, hint }, `WhatsApp disconnected (${reason}): ${hint}; reconnecting`);
    void recover(c, 'disconnected', `disconnected (${reason}): ${hint}`);
  }

  /** Replaces a failed client: tear it down, then build a new one after a backoff. */
  async function recover(c: ClientLike, state: RetryState, detail: string): Promise<void> {
    if (client !== c || stopping) return; // someone already handles it
    detach();
    status.set({ state, detail });
    await retire(c);
    scheduleRelaunch(state, detail);
  }

  function scheduleRelaunch(state: RetryState, detail: string): void {
    if (stopping) return;
    failures += 1;
    const delayMs = Math.min(backoffMaxMs, backoffInitialMs * 2 ** (failures - 1));
    log.info({ delayMs, attempt: failures }, `starting WhatsApp again in ${formatDelay(delayMs)}`);
    status.set({ state, detail: `${detail}; retrying in ${formatDelay(delayMs)}` });
    cancelRetry?.();
    cancelRetry = clock.setTimer(delayMs, () => {
      cancelRetry = null;
      relaunch();
    });
  }

  function detach(): void {
    cancelLookup?.();
    cancelLookup = null;
    lookupMisses = 0;
    prompt = null;
    client = null;
    channel = null;
    disarmWatchdog();
  }

  function armWatchdog(c: ClientLike, after: 'launch' | 'login' | 'channel lookup'): void {
    disarmWatchdog();
    cancelWatchdog = clock.setTimer(readyTimeoutMs, () => {
      cancelWatchdog = null;
      if (client !== c || stopping) return;
      const detail = `WhatsApp Web was not ready ${formatDelay(readyTimeoutMs)} after ${after} (stuck loading: WhatsApp Web may have changed, so check for a whatsapp-web.js update, or the network is slow)`;
      log.error({ timeoutMs: readyTimeoutMs, after }, `${detail}; restarting the browser`);
      void recover(c, retryState(), detail);
    });
  }

  function disarmWatchdog(): void {
    cancelWatchdog?.();
    cancelWatchdog = null;
  }

  /**
   * Chromium dying (crash, OOM kill) makes whatsapp-web.js emit nothing: watch the process itself. Nor
   * does a crashed WhatsApp Web tab (the renderer killed, "Aw, Snap"): the browser lives on and every
   * call fails, so puppeteer's page `error` event (emitted on a target crash) rebuilds the browser too.
   */
  function watchBrowserProcess(c: ClientLike): void {
    c.pupBrowser?.process()?.once('exit', (code, signal) => {
      if (client !== c || stopping) return;
      log.error({ code, signal }, 'Chromium exited unexpectedly (crash, or killed for lack of memory); restarting it');
      void recover(c, 'disconnected', 'the browser exited unexpectedly');
    });
    guardBrowserPipes(c.pupBrowser?.process(), log);
    // Not in ClientLike (the tests' fake client has no page): read structurally.
    const page = (c as { pupPage?: { once(event: 'error', listener: (err: Error) => void): unknown } | null }).pupPage;
    page?.once('error', (err) => {
      if (client !== c || stopping) return;
      log.error({ error: err.message }, 'the WhatsApp Web page crashed; restarting the browser');
      void recover(c, 'disconnected', 'the WhatsApp Web page crashed');
    });
  }

  /** Stops listening to a client and closes its browser; never rejects, bounded in time. */
  function retire(c: ClientLike): Promise<void> {
    c.removeAllListeners();
    const done = closeClient(c, { clock, log, timeoutMs: destroyTimeoutMs, initializing: initializing.get(c) });
    retiring.add(done);
    void done.finally(() => retiring.delete(done));
    return done;
  }

  return {
    name: `whatsapp:${target.kind === 'id' ? target.id : target.code}`,

    async start() {
      if (started || stopping) return;
      started = true;
      log.info({ target: target.kind === 'id' ? target.id : target.link, sessionDir: options.sessionDir, chromiumPath: options.chromiumPath }, 'starting WhatsApp');
      relaunch();
    },

    status: status.get,
    onStatus: status.subscribe,
    info: () => lastInfo,
    loginPrompt: () => (status.get().state === 'waiting-for-login' ? prompt : null),

    async send(post: OutgoingPost): Promise<string> {
      const c = client;
      const ch = channel;
      const now = status.get();
      if (now.state !== 'ready' || !c || !ch) {
        throw new ChannelError(`WhatsApp is not ready (${now.state}${now.detail ? `: ${now.detail}` : ''}); the post stays queued`, true);
      }
      const to = (await channelFor(c, post.channel)).info.id;
      const messageId = post.image ? await sendImagePost(c, to, post.image, post.text) : await sendPost(c, to, post.text);
      log.debug({ articleId: post.articleId, channel: post.channel ?? defaultName, messageId, image: post.image?.url }, 'post handed to WhatsApp');
      return messageId;
    },

    async editPost(edit: PostEdit): Promise<EditResult> {
      const c = client;
      const now = status.get();
      if (now.state !== 'ready' || !c || !channel) {
        throw new ChannelError(`cannot edit: WhatsApp is not ready (${now.state}); the correction stays pending`, true);
      }
      // Read structurally: the tests' fake client (ClientLike) need not implement message lookups.
      if (typeof (c as Partial<EditClient>).getMessageById !== 'function') {
        return { kind: 'not-editable', reason: 'this WhatsApp client cannot look messages up' };
      }
      const result = await editOwnPost(c as unknown as EditClient, edit.messageId, edit.text);
      log.debug({ articleId: edit.articleId, messageId: edit.messageId, result: result.kind }, 'edit handed to WhatsApp');
      return result;
    },

    async findPost(post: OutgoingPost): Promise<ConfirmedPost | null> {
      const c = client;
      const ch = channel;
      const now = status.get();
      if (now.state !== 'ready' || !c || !ch) {
        throw new ChannelError(`cannot read the channel back: WhatsApp is not ready (${now.state})`, true);
      }
      return findOwnPost(c, (await channelFor(c, post.channel)).info.id, post.text, clock.now());
    },

    async restart(reason: string): Promise<void> {
      const c = client;
      if (!c || stopping) return;
      log.info({ reason }, `restarting the browser: ${reason}`);
      failures = 0; // a planned restart is not a failure: relaunch after the shortest delay
      await recover(c, 'disconnected', `restarting: ${reason}`);
    },

    onMessage(handler) {
      messageHandlers.add(handler);
      return () => messageHandlers.delete(handler);
    },

    async reply(chatId: string, text: string): Promise<void> {
      await sendDirect(connectedClient(), chatId, text);
    },

    async sendToPhone(phone: string, text: string): Promise<void> {
      const c = connectedClient();
      await sendDirect(c, await chatIdOfPhone(c, phone), text);
    },

    stop(): Promise<void> {
      stopping ??= (async () => {
        cancelRetry?.();
        cancelRetry = null;
        const c = client;
        detach();
        if (c) void retire(c);
        await Promise.all([...retiring]);
        status.set({ state: 'stopped' });
        log.info({}, 'WhatsApp stopped');
      })();
      return stopping;
    },
  };

  function tryPrint(print: () => void): void {
    try {
      print();
    } catch (err) {
      log.warn(errorDetail(err), 'could not print the login prompt');
    }
  }
}

function settled(): void {
  // initialize() is over, either way: retire() only waits for that
}
