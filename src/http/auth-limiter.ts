import net from 'node:net';
import type { Logger } from '../log.js';

export interface AuthLimiterOptions {
  /** Failed attempts an address may make per window before it is refused (429). Default 20. */
  maxFailures?: number;
  /** The window, and how long an address that used up its attempts is refused. Default 60 s. */
  windowMs?: number;
  /** Most addresses remembered at once (a flood of addresses cannot exhaust memory). Default 10,000. */
  maxAddresses?: number;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
  log: Logger;
}

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
  /** Requests answered 429 during the current block, reported once when the next block starts or in the sample. */
  refused: number;
}

/**
 * Failed authentication, counted per client address. Only failures count: a right token neither uses
 * up attempts nor waits. An address that fails `maxFailures` times in a window is answered 429 (with
 * Retry-After) for a window, whatever it sends: checking its tokens meanwhile would let guessing go on
 * at full speed, with a 200 among the 429s telling the right guess. So a client that shares its address
 * with a guesser (a NAT, or a reverse proxy in front of Newsdesk) waits with it.
 *
 * IPv6 clients are counted per /64, the block one subscriber gets, so hopping addresses inside it does
 * not reset the count. Refusals are logged sampled: the first failure of an address per window, and one
 * line when it gets blocked (with what the previous block refused), never a line per guess.
 */
export function createAuthLimiter(options: AuthLimiterOptions) {
  const maxFailures = options.maxFailures ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? Date.now;
  const { log } = options;
  const entries = new Map<string, Entry>();

  const prune = (at: number) => {
    if (entries.size < maxAddresses) return;
    for (const [key, e] of entries) if (e.blockedUntil <= at && at - e.windowStart >= windowMs) entries.delete(key);
    // Still full (a flood of fresh addresses): forget the oldest. Blocked ones go last only by age.
    for (const key of entries.keys()) {
      if (entries.size < maxAddresses) break;
      entries.delete(key);
    }
  };

  return {
    /**
     * Whole seconds `address` must wait before trying again, or 0 when it may try now. A positive
     * answer counts as one refused request (for the sampled log).
     */
    retryAfter(address: string): number {
      const entry = entries.get(addressKey(address));
      const at = now();
      if (!entry || entry.blockedUntil <= at) return 0;
      entry.refused += 1;
      return Math.max(1, Math.ceil((entry.blockedUntil - at) / 1000));
    },

    /** Records one failed attempt from `address` (`what`: the door and why, for the log). */
    fail(address: string, what: Record<string, unknown>): void {
      const key = addressKey(address);
      const at = now();
      let entry = entries.get(key);
      if (!entry || at - entry.windowStart >= windowMs) {
        const refusedBefore = entry?.refused ?? 0;
        if (!entry) prune(at);
        entry = { windowStart: at, failures: 0, blockedUntil: entry?.blockedUntil ?? 0, refused: 0 };
        entries.delete(key); // re-inserted: the map stays in order of last activity for pruning
        entries.set(key, entry);
        log.warn({ ip: address, ...what, ...(refusedBefore ? { refusedWhileBlocked: refusedBefore } : {}) }, 'authentication failed (more failures from this address in this window are counted, not logged)');
      }
      entry.failures += 1;
      if (entry.failures >= maxFailures && entry.blockedUntil <= at) {
        entry.blockedUntil = at + windowMs;
        log.warn(
          { ip: address, failures: entry.failures, blockedForSeconds: Math.ceil(windowMs / 1000), ...what },
          'too many failed authentication attempts from one address: refused (429) for a while',
        );
      }
    },

    /** How many addresses are remembered (for tests). */
    size: () => entries.size,
  };
}

export type AuthLimiter = ReturnType<typeof createAuthLimiter>;

/** The unit failures are counted in: the IPv4 address, or the /64 of an IPv6 one. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
