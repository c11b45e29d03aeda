import { WAWebCmd } from '../modules/WAWebCmd.js';
import { WAWebSocketModel } from '../modules/WAWebSocketModel.js';
import { loadChannel } from './channel.js';
import { storage } from './storage.js';
import { knownChannels, world } from './world.js';

/** Where WhatsApp Web lives; whatsapp-web.js serves the cached page only for exactly this URL. */
const WHATSAPP_WEB_URL = 'https://web.whatsapp.com/';

/** Loads the session from IndexedDB: logged in → connect and sync; else wait for a scan. */
export async function boot(): Promise<void> {
  world.session = (await storage.getSession()) ?? null;
  for (const post of await storage.serverPosts()) world.nextServerId.set(post.channel, Math.max(world.nextServerId.get(post.channel) ?? 100, post.serverId + 1));
  if (world.session) connect();
  else WAWebSocketModel.Socket.setState('UNPAIRED');
}

/**
 * Connected and synced: the account's channels are loaded (a guest's, or one marked `synced: false`,
 * only when asked for) and whatsapp-web.js may emit `ready`.
 */
export function connect(): void {
  WAWebSocketModel.Socket.setState('CONNECTED');
  for (const channel of knownChannels()) if (channel.synced ?? channel.role !== 'guest') loadChannel(channel);
  WAWebSocketModel.Socket.markSynced();
}

/** The phone links this device (QR scanned or code entered): the session is stored before anything else. */
export async function pair(): Promise<void> {
  if (world.session) return;
  const { account } = world.options;
  const session = { key: 'me' as const, phone: account.phone, lid: account.lid, pushname: account.pushname };
  await storage.putSession(session);
  world.session = session;
  WAWebSocketModel.Socket.setState('PAIRING');
  connect();
}

/**
 * The phone unlinks this device. WhatsApp Web announces `logout` (whatsapp-web.js then expects a
 * navigation), clears its storage and reloads itself; the reload goes to exactly the page's URL, the
 * only one the library's local cache answers (WhatsApp Web itself goes to `/?post_logout=1`).
 */
export async function unlink(): Promise<void> {
  await storage.clearLocal();
  world.session = null;
  WAWebCmd.Cmd.trigger('logout');
  // whatsapp-web.js marks the logout when its exposed function is called, then waits 5 s for a navigation.
  setTimeout(() => window.location.replace(WHATSAPP_WEB_URL), 1_000);
}
