/** WAMediaCalculateFilehash: the token of an unencrypted (channel) upload. */
export const WAMediaCalculateFilehash = {
  getRandomFilehash: (): string => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
};
