import { Emitter } from '../runtime/emitter.js';
import { world } from '../runtime/world.js';

/** WAWebConnModel.Conn: the QR code's `ref` (and `change:ref` when it rotates), and `serialize()` for ClientInfo. */
class ConnModel extends Emitter {
  ref = randomRef();
  platform = 'web';

  rotateRef(): void {
    this.ref = randomRef();
    this.trigger('change:ref', this, this.ref);
  }

  serialize(): Record<string, unknown> {
    return { ref: this.ref, platform: this.platform, pushname: world.session?.pushname ?? null, connected: world.session !== null };
  }
}

function randomRef(): string {
  return `2@${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
}

export const WAWebConnModel = { Conn: new ConnModel() };
