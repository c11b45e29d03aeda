/** WABase64: base64 of key bytes. */
export const WABase64 = {
  encodeB64: (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)),
};
