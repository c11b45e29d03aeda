import { world } from '../runtime/world.js';

/** WAWebAltDeviceLinkingApi (AuthStore.PairingCodeLinkUtils): pairing by a code typed on the phone. */
export const WAWebAltDeviceLinkingApi = {
  setPairingType: (_type: string): void => undefined,
  initializeAltDeviceLinking: async (): Promise<void> => undefined,
  startAltLinkingFlow: async (phoneNumber: string, _showNotification: boolean): Promise<string> => {
    if (!/^\d{8,15}$/.test(phoneNumber)) throw new Error(`fake WhatsApp Web: bad phone number ${phoneNumber}`);
    const letters = 'ABCDEFGHJKLMNPQRSTVWXYZ23456789';
    world.pairingPhone = phoneNumber;
    world.pairingCode = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => letters[b % letters.length]).join('');
    return world.pairingCode;
  },
};
