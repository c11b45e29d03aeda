import { expect, onTestFinished } from 'vitest';
import { createWhatsAppChannel } from '../../src/channel/whatsapp.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import { settle } from '../fakes/fake-clock.js';
import { createFakeWhatsApp } from '../fakes/fake-whatsapp-client.js';
import { tempDir } from '../helpers/temp-dir.js';

export const CHANNEL_ID = '120363012345678901@newsletter';

/**
 * The real WhatsApp adapter over the fake whatsapp-web.js client (as in test/channel/whatsapp.test.ts):
 * the test drives QR codes, pairing codes and `ready` by hand. Stopped when the test finishes.
 */
export function whatsappSetup(clock: Clock, log: Logger, options: { pairingNumber?: string } = {}) {
  const wa = createFakeWhatsApp({ now: clock.now });
  wa.addChannel({ id: CHANNEL_ID, name: 'Daily Bulletin <Live>', inviteCode: '0029VaAbCdEfGhIjKlMnOp12' });
  const channel = createWhatsAppChannel({
    target: { kind: 'id', id: CHANNEL_ID },
    sessionDir: tempDir('newsdesk-wa-'),
    chromiumPath: '/opt/test/chromium',
    pairingNumber: options.pairingNumber,
    clock,
    log,
    printQr: () => undefined,
    printPairingCode: () => undefined,
    createClient: wa.createClient,
  });
  onTestFinished(() => channel.stop());

  /** Starts the adapter and waits until its client has been initialised. */
  async function start() {
    await channel.start();
    await expect.poll(() => wa.clients.length).toBe(1);
    await expect.poll(() => wa.clients[0]!.initializeCalls).toBe(1);
    await settle();
    return wa.clients[0]!;
  }

  /** Emits `ready` and waits until the channel is resolved. */
  async function ready() {
    wa.latest().emitReady();
    await expect.poll(() => channel.status().state).toBe('ready');
  }

  return { wa, channel, start, ready };
}
