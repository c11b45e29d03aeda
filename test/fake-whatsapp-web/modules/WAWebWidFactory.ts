/**
 * WAWebWidFactory: WhatsApp ids (`<user>@<server>`). Only own fields are data (`server`, `user`,
 * `_serialized`), so a Wid crosses into Node by value the way whatsapp-web.js reads it
 * (`id._serialized`); the methods the injected code calls live on the prototype.
 */
export class Wid {
  readonly server: string;
  readonly user: string;
  readonly _serialized: string;

  constructor(serialized: string) {
    const at = serialized.lastIndexOf('@');
    if (at <= 0) throw new Error(`invalid wid: ${serialized}`);
    this.user = serialized.slice(0, at);
    this.server = serialized.slice(at + 1) === 's.whatsapp.net' ? 'c.us' : serialized.slice(at + 1);
    this._serialized = `${this.user}@${this.server}`;
  }

  isLid(): boolean {
    return this.server === 'lid';
  }

  isGroup(): boolean {
    return this.server === 'g.us';
  }

  isStatus(): boolean {
    return this._serialized === 'status@broadcast';
  }

  isNewsletter(): boolean {
    return this.server === 'newsletter';
  }

  isUser(): boolean {
    return this.server === 'c.us' || this.server === 'lid';
  }

  toJid(): string {
    return this.server === 'c.us' ? `${this.user}@s.whatsapp.net` : this._serialized;
  }

  toString(): string {
    return this._serialized;
  }

  equals(other: Wid | string | undefined): boolean {
    return other !== undefined && String(other) === this._serialized;
  }
}

export function createWid(id: string | Wid): Wid {
  return typeof id === 'string' ? new Wid(id) : id;
}

export function asUserWidOrThrow(id: Wid | string): Wid {
  const wid = createWid(id);
  if (!wid.isUser()) throw new Error(`not a user wid: ${wid._serialized}`);
  return wid;
}

export const WAWebWidFactory = { createWid, asUserWidOrThrow };
