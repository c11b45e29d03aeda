import { world } from '../runtime/world.js';
import { createWid, type Wid } from './WAWebWidFactory.js';

/** WAWebApiContact: the `@lid` ↔ phone mapping of known contacts (`getContactLidAndPhone`). */
export const WAWebApiContact = {
  getCurrentLid: (wid: Wid): Wid | null => {
    const contact = world.options.contacts.find((c) => `${c.phone}@c.us` === wid._serialized);
    return contact ? createWid(`${contact.lid}@lid`) : null;
  },
  getPhoneNumber: (wid: Wid): Wid | null => {
    const contact = world.options.contacts.find((c) => `${c.lid}@lid` === wid._serialized);
    return contact ? createWid(`${contact.phone}@c.us`) : null;
  },
};
