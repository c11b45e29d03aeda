import type { Channel } from './channel/channel.js';
import type { Clock } from './clock.js';
import type { RuntimeStatus } from './commands/types.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import { errorDetail, type Logger } from './log.js';
import type { Settings } from './store/settings.js';

const KEY = 'bot_status';
/** A heartbeat older than this means the bot is not running (it writes every HEARTBEAT_MS). */
const STALE_MS = 45_000;
const HEARTBEAT_MS = 15_000;

/** The running bot's view of itself, live. */
export function liveRuntimeStatus(channel: Channel, dispatcher: Dispatcher, dryRun: boolean, clock: Clock): RuntimeStatus {
  return {
    running: true,
    dryRun,
    channel: channel.status(),
    channelInfo: channel.info(),
    nextWakeAt: dispatcher.status().nextWakeAt,
    waiting: dispatcher.status().waiting,
    waitingByChannel: dispatcher.status().waitingByChannel,
    heartbeatAt: clock.now(),
  };
}

/**
 * Writes the bot's status to the database every 15 s and on every channel change, so the CLI (another
 * process) can answer `status` and `channel`. Returns a function that stops it and marks the bot stopped.
 */
export function startHeartbeat(options: { settings: Settings; status: () => RuntimeStatus; channel: Channel; clock: Clock; log: Logger }): () => void {
  const { settings, clock, log } = options;
  const write = (running: boolean) => {
    try {
      settings.write(KEY, JSON.stringify({ ...options.status(), running }), clock.now());
    } catch (err) {
      log.warn({ ...errorDetail(err) }, 'could not write the heartbeat');
    }
  };
  write(true);
  const unsubscribe = options.channel.onStatus(() => write(true));
  const handle = setInterval(() => write(true), HEARTBEAT_MS);
  handle.unref();
  return () => {
    clearInterval(handle);
    unsubscribe();
    write(false);
  };
}

/** The bot's status as last written by its heartbeat (for the CLI). */
export function storedRuntimeStatus(settings: Settings, now: number): RuntimeStatus {
  const stored = settings.read(KEY);
  const none: RuntimeStatus = { running: false, dryRun: false, channel: null, channelInfo: null, nextWakeAt: null, heartbeatAt: null };
  if (!stored) return none;
  try {
    const parsed = JSON.parse(stored.value) as RuntimeStatus;
    const fresh = parsed.running && now - stored.updatedAt < STALE_MS;
    return { ...parsed, running: fresh, heartbeatAt: stored.updatedAt };
  } catch {
    return none; // a damaged heartbeat only means we cannot tell: report "not running"
  }
}
