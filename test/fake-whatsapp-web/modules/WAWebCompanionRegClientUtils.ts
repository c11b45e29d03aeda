/** WAWebCompanionRegClientUtils: the platform named at the end of the QR code. */
export const WAWebCompanionRegClientUtils = { DEVICE_PLATFORM: 'Chrome' };
