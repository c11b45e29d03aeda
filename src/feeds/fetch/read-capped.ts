/** The slice of a fetch Response (global or undici's) that reading a body needs. */
interface BodyResponse {
  body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }> } } | null;
}

/**
 * Reads a response body chunk by chunk. Returns null as soon as it passes `maxBytes`, after aborting
 * the transfer through `controller`, so a huge or endless body costs at most the cap in memory.
 * Shared by the feed fetcher and the image fetcher.
 */
export async function readCapped(response: BodyResponse, maxBytes: number, controller: AbortController): Promise<Buffer | null> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
