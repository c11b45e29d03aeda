import { Emitter } from './emitter.js';

interface Keyed {
  id: { _serialized: string };
}

/**
 * A WhatsApp Web collection (Msg, Chat, WAWebNewsletterCollection, a chat's `msgs`): models by their
 * serialized id, `add` events for new ones, `getModelsArray()` in insertion order.
 */
export class Collection<M extends Keyed> extends Emitter {
  readonly #models = new Map<string, M>();

  constructor(readonly modelClass?: new (attributes: Record<string, unknown>) => M) {
    super();
  }

  get(id: string | { _serialized: string } | undefined): M | undefined {
    if (id === undefined) return undefined;
    return this.#models.get(typeof id === 'string' ? id : id._serialized);
  }

  async find(id: string | { _serialized: string }): Promise<M | undefined> {
    return this.get(id);
  }

  add(models: M | M[], { at }: { at?: 'start' } = {}): void {
    const list = Array.isArray(models) ? models : [models];
    const fresh = list.filter((m) => !this.#models.has(m.id._serialized));
    if (at === 'start') {
      const rest = [...this.#models];
      this.#models.clear();
      for (const m of fresh) this.#models.set(m.id._serialized, m);
      for (const [key, m] of rest) this.#models.set(key, m);
    } else {
      for (const m of fresh) this.#models.set(m.id._serialized, m);
    }
    for (const m of fresh) this.trigger('add', m);
  }

  remove(model: M): void {
    if (this.#models.delete(model.id._serialized)) this.trigger('remove', model);
  }

  getModelsArray(): M[] {
    return [...this.#models.values()];
  }

  get length(): number {
    return this.#models.size;
  }
}
