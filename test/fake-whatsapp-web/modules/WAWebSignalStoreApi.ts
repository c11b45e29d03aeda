import { IDENTITY_PUBLIC_KEY } from '../runtime/keys.js';

/** WAWebSignalStoreApi: the identity key pair that goes into the QR code. */
export const WAWebSignalStoreApi = {
  waSignalStore: { getRegistrationInfo: async () => ({ identityKeyPair: { pubKey: IDENTITY_PUBLIC_KEY } }) },
};
