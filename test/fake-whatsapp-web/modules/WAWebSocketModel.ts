import { Emitter } from '../runtime/emitter.js';

/**
 * WAWebSocketModel.Socket: the connection state whatsapp-web.js waits on (`state`, `change:state`)
 * and the `change:hasSynced` event that makes it inject its code and emit `ready`.
 *
 * whatsapp-web.js attaches its `change:hasSynced` listener at the very end of `inject()`, after the QR
 * code went out. WhatsApp Web's sync takes seconds, so it always comes later; a fake syncs at once, so
 * a sync nobody listened to yet is delivered when the first listener arrives.
 */
class SocketModel extends Emitter {
  state = 'OPENING';
  hasSynced = false;
  #undelivered = false;

  constructor() {
    super();
    this.whenListened((event) => {
      if (event === 'change:hasSynced' && this.#undelivered) {
        this.#undelivered = false;
        setTimeout(() => this.trigger('change:hasSynced', this, true), 0);
      }
    });
  }

  setState(state: string): void {
    if (state === this.state) return;
    this.state = state;
    this.trigger('change:state', this, state);
  }

  markSynced(): void {
    this.hasSynced = true;
    if (this.listenerCount('change:hasSynced') > 0) this.trigger('change:hasSynced', this, true);
    else this.#undelivered = true;
  }

  logout(): void {
    console.warn('fake WhatsApp Web: Socket.logout() from the client');
  }

  takeover(): void {
    this.setState('CONNECTED');
  }
}

export const WAWebSocketModel = { Socket: new SocketModel() };
