import type { Wid } from './WAWebWidFactory.js';

/**
 * WAWebMsgKey: a message key. The module *is* the class (whatsapp-web.js does
 * `new (window.require('WAWebMsgKey'))({ from, to, id, participant, selfDir })` and `.newId()`).
 */
export class MsgKey {
  readonly fromMe: boolean;
  readonly remote: Wid;
  readonly id: string;
  readonly participant?: Wid;
  readonly _serialized: string;

  constructor({ from, to, id, participant, selfDir }: { from: Wid; to: Wid; id: string; participant?: Wid; selfDir: 'in' | 'out' }) {
    this.fromMe = selfDir === 'out';
    this.remote = this.fromMe ? to : from;
    this.id = id;
    if (participant) this.participant = participant;
    this._serialized = `${this.fromMe}_${this.remote._serialized}_${id}`;
  }

  static async newId(): Promise<string> {
    return newMessageId();
  }

  toString(): string {
    return this._serialized;
  }
}

/** WhatsApp Web's own ids look like `3EB0` + 16 hex digits. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `3EB0${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
}
