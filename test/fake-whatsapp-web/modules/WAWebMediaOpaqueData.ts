/**
 * WAWebMediaOpaqueData: media bytes held by the page. The module *is* the class: whatsapp-web.js calls
 * `createFromData(file, mimetype)` and checks `instanceof` the module, then `url()`, `autorelease()` and
 * `formData()`. The object URL is revoked a while after `autorelease()`, so uploads do not pin memory.
 */
export class OpaqueData {
  readonly #blob: Blob;
  #url: string | null = null;

  constructor(blob: Blob) {
    this.#blob = blob;
  }

  static async createFromData(data: Blob, mimetype: string): Promise<OpaqueData> {
    return new OpaqueData(data.type === mimetype ? data : new Blob([data], { type: mimetype }));
  }

  get type(): string {
    return this.#blob.type;
  }

  get size(): number {
    return this.#blob.size;
  }

  blob(): Blob {
    return this.#blob;
  }

  url(): string {
    this.#url ??= URL.createObjectURL(this.#blob);
    return this.#url;
  }

  autorelease(): void {
    const url = this.#url;
    if (url) setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }

  formData(): FormData {
    const form = new FormData();
    form.append('file', this.#blob);
    return form;
  }
}

export const WAWebMediaOpaqueData = OpaqueData;
