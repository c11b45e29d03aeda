import qrcode from 'qrcode-terminal';
import type { ChannelTarget } from '../config.js';
import { errorMessage } from '../log.js';

/* What the operator reads: hints attached to failures, and the login prompts on the terminal. */

/** What an operator should do about an error from initialize(), by its message. */
export function startFailureHint(err: unknown, chromiumPath: string): string {
  const message = errorMessage(err);
  if (/Failed to launch the browser process|ENOENT|spawn .*EACCES|Browser was not found|executable/i.test(message)) {
    return `Chromium could not be started from ${chromiumPath}: install Debian chromium (apt-get install chromium) or set NEWSDESK_CHROMIUM_PATH to the browser binary`;
  }
  if (/ProcessSingleton|profile appears to be in use|SingletonLock/i.test(message)) {
    return 'another Chromium is using the session folder: make sure only one Newsdesk runs per data folder';
  }
  if (/Couldn't load version .* from the cache/.test(message)) {
    return 'the pinned WhatsApp Web build is missing: put <NEWSDESK_WA_WEB_VERSION>.html in NEWSDESK_WA_WEB_CACHE_DIR (see the README, "Pinning WhatsApp Web"), or unset both to load the live page';
  }
  if (/net::ERR_|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(message)) {
    return 'web.whatsapp.com is unreachable: check this host\'s network, DNS and proxy settings';
  }
  if (/auth timeout|ready timeout/.test(message)) {
    return 'WhatsApp Web did not finish loading (slow network, or WhatsApp Web changed: check for a whatsapp-web.js update)';
  }
  if (/Target closed|Session closed|Protocol error|Connection closed|crash/i.test(message)) {
    return 'the browser closed unexpectedly: check memory (about 300 MB per session) and that /dev/shm is not tiny';
  }
  return 'unexpected error while starting WhatsApp Web';
}

/**
 * Hint for a `disconnected` reason: a WAState outside CONNECTED/OPENING/PAIRING/TIMEOUT (those never
 * disconnect), 'LOGOUT', or 'Max qrcode retries reached'.
 */
export function disconnectHint(reason: string): string {
  switch (reason) {
    case 'CONFLICT':
      return 'WhatsApp Web was opened for this account in another browser: close it there';
    case 'UNPAIRED':
    case 'UNPAIRED_IDLE':
      return 'the phone no longer lists this device: a QR scan may be needed';
    case 'DEPRECATED_VERSION':
      return 'WhatsApp says this WhatsApp Web version is too old: update whatsapp-web.js';
    case 'PROXYBLOCK':
      return 'WhatsApp blocked the connection from this network or proxy';
    default:
      return 'connection lost';
  }
}

/** Disconnect reasons after which reconnecting cannot help and may make things worse. */
export function isAccountBlocked(reason: string): boolean {
  return reason === 'TOS_BLOCK' || reason === 'SMB_TOS_BLOCK';
}

/** The status detail when the configured channel cannot be found. */
export function notFoundDetail(target: ChannelTarget): string {
  const how =
    'in WhatsApp open the channel → channel info → Share → Copy link, and set NEWSDESK_CHANNEL to that link (https://whatsapp.com/channel/…) or to the channel id (…@newsletter); the logged-in account must own or administer the channel';
  return target.kind === 'id'
    ? `channel ${target.id} not found, or it is not a channel: ${how}; then restart`
    : `no channel found for the invite link ${target.link}: ${how}; then restart`;
}

/** `ABCDEFGH` → `ABCD-EFGH`, as the phone shows it. */
export function formatPairingCode(code: string): string {
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/** "5 s", "2.5 min". */
export function formatDelay(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 6_000) / 10} min`;
}

/** Default QR printer: small QR code on stdout. */
export function printQrToTerminal(qr: string): void {
  qrcode.generate(qr, { small: true }, (art) => {
    process.stdout.write(`\nScan with WhatsApp on the phone (Settings → Linked devices → Link a device):\n${art}\n`);
  });
}

/** Default pairing-code printer: a framed line on stdout. */
export function printPairingCodeToTerminal(code: string): void {
  process.stdout.write(
    `\n┌────────────────────────────────┐\n│  WhatsApp pairing code: ${code}  │\n└────────────────────────────────┘\n` +
      'On the phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead\n\n',
  );
}
