/** How many uploads the cache keeps (WhatsApp Web's is bounded too; the oldest go first). */
const MAX_ENTRIES = 10;

const entries = new Map<string, FormData>();

/** WAWebMediaInMemoryBlobCache: recent uploads' bytes, by file hash. */
export const WAWebMediaInMemoryBlobCache = {
  InMemoryMediaBlobCache: {
    put: (filehash: string, data: FormData): void => {
      entries.delete(filehash);
      entries.set(filehash, data);
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    },
    get: (filehash: string): FormData | undefined => entries.get(filehash),
  },
};
