/** A media object: what WhatsApp Web knows of one file, by its hash (`consolidate` merges prepared data in). */
class MediaObject {
  type = '';
  size = 0;
  readonly contentInfo: Record<string, unknown> = {};

  constructor(readonly filehash: string) {}

  consolidate(fields: Record<string, unknown>): void {
    if (typeof fields.type === 'string') this.type = fields.type;
    if (typeof fields.size === 'number') this.size = fields.size;
  }
}

/** Bounded, as WhatsApp Web's own media store is: the oldest objects are dropped first. */
const MAX_OBJECTS = 50;
const objects = new Map<string, MediaObject>();

/** WAWebMediaStorage: the media object of a file hash, created on first use. */
export const WAWebMediaStorage = {
  getOrCreateMediaObject: (filehash: string): MediaObject => {
    let found = objects.get(filehash);
    if (!found) {
      found = new MediaObject(filehash);
      objects.set(filehash, found);
      if (objects.size > MAX_OBJECTS) objects.delete(objects.keys().next().value!);
    }
    return found;
  },
};
