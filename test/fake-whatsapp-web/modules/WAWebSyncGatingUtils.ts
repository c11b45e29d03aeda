/** WAWebSyncGatingUtils: whatsapp-web.js overwrites `isPlaceholderMessageResendEnabled`. */
export const WAWebSyncGatingUtils: Record<string, () => boolean> = {
  isPlaceholderMessageResendEnabled: () => false,
};
