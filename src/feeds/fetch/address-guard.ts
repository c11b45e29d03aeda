import dns from 'node:dns';
import net from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/**
 * Addresses no feed is fetched from: link-local (169.254.0.0/16, fe80::/10), where the cloud metadata
 * services live (169.254.169.254, fd00:ec2::254 on AWS, the same on Azure, GCP, OpenStack). A feed URL
 * there would let anyone who can add a feed read the machine's cloud credentials. Loopback and private
 * ranges stay allowed: an internal CMS on 10.x or localhost is a normal newsroom set-up.
 * IPv4-mapped IPv6 forms (::ffff:169.254.169.254) and NAT64 (64:ff9b::/96) are caught by the same rules.
 */
const FORBIDDEN = new net.BlockList();
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');
FORBIDDEN.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');

/** Whether an IP address is one feeds are never fetched from (see FORBIDDEN). */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family === 0) return false;
  return FORBIDDEN.check(bare, family === 4 ? 'ipv4' : 'ipv6');
}

/** A connection refused because its address is link-local or a cloud metadata service. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ENEWSDESK_FORBIDDEN_ADDRESS';
  constructor(readonly host: string, readonly address: string) {
    super(`${host} is ${host === address ? '' : `at ${address}, `}a link-local or cloud metadata address`);
    this.name = 'ForbiddenAddressError';
  }
}

/** Resolves a host name to its addresses (dns.lookup by default; tests pass their own, so no name leaves the machine). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface GuardOptions {
  resolve?: Resolve;
  /**
   * Called with the address right before a connection to it is opened; throwing stops it. Tests use it
   * to make sure nothing ever connects beyond loopback, whatever the guard decides.
   */
  beforeConnect?: (address: string, port: number) => void;
}

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * An undici dispatcher whose every connection (the first request and each redirect hop, on every
 * retry) resolves the host itself, refuses it when any address it resolves to is forbidden, and then
 * connects to exactly the address it checked: a DNS answer that changes between check and connect
 * (rebinding) cannot slip past.
 */
export function createGuardedAgent(options: GuardOptions = {}): Dispatcher & { close(): Promise<void> } {
  const resolve = options.resolve ?? systemResolve;
  const connect = buildConnector({});
  return new Agent({
    connect(opts, callback) {
      const hostname = opts.hostname.replace(/^\[|\]$/g, '');
      const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
      const addresses = net.isIP(hostname) ? Promise.resolve([{ address: hostname, family: net.isIP(hostname) }]) : resolve(hostname);
      addresses.then(
        (found) => {
          let target: string;
          try {
            const bad = found.find((a) => isForbiddenAddress(a.address));
            if (bad) throw new ForbiddenAddressError(hostname, bad.address);
            const first = found[0];
            if (!first) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
            target = first.address;
            options.beforeConnect?.(target, port);
          } catch (err) {
            callback(err as Error, null);
            return;
          }
          connect({ ...opts, hostname: target, servername: net.isIP(hostname) ? undefined : hostname }, callback);
        },
        (err: Error) => callback(err, null),
      );
    },
  });
}
