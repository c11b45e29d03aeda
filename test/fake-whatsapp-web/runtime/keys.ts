/** Fixed key material for the QR code: this page's noise and identity public keys and ADV secret. */
export const NOISE_PUBLIC_KEY = new Uint8Array(32).map((_, i) => (i * 7 + 1) % 256);
export const IDENTITY_PUBLIC_KEY = new Uint8Array(32).map((_, i) => (i * 13 + 5) % 256);
export const ADV_SECRET_KEY = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => (i * 3 + 11) % 256)));
