/* eslint-disable @typescript-eslint/no-explicit-any -- listeners take whatever WhatsApp Web passes */

/** A listener as WhatsApp Web's Backbone-style models call it: `(model, value, …)`. */
export type Listener = (...args: any[]) => unknown;

/**
 * Backbone-style events, as whatsapp-web.js uses them: `on('change:body change:caption', fn)` (several
 * names at once), `off`, `once`, `trigger`. Listeners live in a private field, so `serialize()` and
 * puppeteer's by-value copies never see them. A throwing listener is logged and the others still run.
 */
export class Emitter {
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Called after a listener is added (the socket uses it to deliver a sync nobody listened to yet). */
  #onListen: ((event: string) => void) | null = null;

  on(events: string, fn: Listener): this {
    for (const event of events.split(/\s+/).filter(Boolean)) {
      let set = this.#listeners.get(event);
      if (!set) this.#listeners.set(event, (set = new Set()));
      set.add(fn);
      this.#onListen?.(event);
    }
    return this;
  }

  off(events: string, fn?: Listener): this {
    for (const event of events.split(/\s+/).filter(Boolean)) {
      if (fn) this.#listeners.get(event)?.delete(fn);
      else this.#listeners.delete(event);
    }
    return this;
  }

  once(event: string, fn: Listener): this {
    const wrapper: Listener = (...args) => {
      this.off(event, wrapper);
      return fn(...args);
    };
    return this.on(event, wrapper);
  }

  trigger(event: string, ...args: any[]): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) {
      try {
        const result = fn(...args);
        if (result instanceof Promise) result.catch((err: unknown) => console.error(`fake WhatsApp Web: "${event}" listener failed`, err));
      } catch (err) {
        console.error(`fake WhatsApp Web: "${event}" listener threw`, err);
      }
    }
  }

  listenerCount(event: string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  protected whenListened(hook: (event: string) => void): void {
    this.#onListen = hook;
  }
}
