import QRCode from 'qrcode';
import type { Channel, ChannelState } from '../channel/channel.js';

/** What the login page shows, computed on the server; the page's script only copies it in. */
export interface LoginView {
  state: ChannelState;
  /** `connected` once ready; otherwise what is going on in two or three words. */
  title: string;
  /** The adapter's detail: what a person should do. */
  detail: string;
  /** The QR code to scan, as a PNG data URL, while WhatsApp waits for a QR login. */
  qr: string | null;
  /** The pairing code (`ABCD-EFGH`) while WhatsApp waits for a code login. */
  code: string | null;
  /** ISO time the current state (or prompt) began. */
  since: string;
  channel: { name: string; id: string } | null;
}

const TITLES: Record<ChannelState, string> = {
  starting: 'starting',
  'waiting-for-login': 'waiting for login',
  ready: 'connected',
  disconnected: 'reconnecting',
  'logged-out': 'logged out',
  failed: 'needs attention',
  stopped: 'stopped',
};

/**
 * Builds LoginViews from the channel. QR images are rendered once per QR code (WhatsApp rotates the
 * code about every 20 s; the page asks every 2 s), so polling costs a lookup, not a PNG encode.
 */
export function createLoginViews(channel: Pick<Channel, 'status' | 'info' | 'loginPrompt'>) {
  let cached: { value: string; image: Promise<string> } | null = null;

  const imageOf = (value: string): Promise<string> => {
    if (cached?.value !== value) {
      const image = QRCode.toDataURL(value, { errorCorrectionLevel: 'M', margin: 2, width: 288 });
      cached = { value, image };
      // A failed render is not cached: the next poll tries again.
      image.catch(() => {
        if (cached?.image === image) cached = null;
      });
    }
    return cached.image;
  };

  return {
    async current(): Promise<LoginView> {
      const status = channel.status();
      const prompt = channel.loginPrompt?.() ?? null;
      const info = channel.info();
      const ready = status.state === 'ready';
      const detail = status.detail ?? '';
      return {
        state: status.state,
        title: prompt?.kind === 'qr' ? 'scan the QR code' : prompt?.kind === 'code' ? 'enter the pairing code' : TITLES[status.state],
        detail: ready && info ? `posting to "${info.name}"` : detail,
        qr: prompt?.kind === 'qr' ? await imageOf(prompt.value) : null,
        code: prompt?.kind === 'code' ? prompt.value : null,
        since: new Date(prompt?.since ?? status.since).toISOString(),
        channel: info ? { name: info.name, id: info.id } : null,
      };
    },
  };
}

export type LoginViews = ReturnType<typeof createLoginViews>;
