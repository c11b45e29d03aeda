import { ADV_SECRET_KEY } from '../runtime/keys.js';

/** WAWebUserPrefsMultiDevice: the ADV secret that goes into the QR code. */
export const WAWebUserPrefsMultiDevice = { getADVSecretKey: (): string => ADV_SECRET_KEY };
