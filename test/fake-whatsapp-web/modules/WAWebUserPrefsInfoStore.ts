import { NOISE_PUBLIC_KEY } from '../runtime/keys.js';

/** WAWebUserPrefsInfoStore: the noise key pair that goes into the QR code. */
export const WAWebUserPrefsInfoStore = {
  waNoiseInfo: { get: async () => ({ staticKeyPair: { pubKey: NOISE_PUBLIC_KEY } }) },
};
