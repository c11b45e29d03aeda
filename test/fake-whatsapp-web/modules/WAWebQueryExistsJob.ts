import { world } from '../runtime/world.js';
import type { Wid } from './WAWebWidFactory.js';

/** WAWebQueryExistsJob: whether an id is on WhatsApp. Every phone number is; a `@lid` only if known. */
export const WAWebQueryExistsJob = {
  queryWidExists: async (wid: Wid): Promise<{ wid: Wid } | null> => {
    if (wid.server === 'c.us' && /^\d{6,15}$/.test(wid.user)) return { wid };
    if (wid.server === 'lid' && world.options.contacts.some((c) => c.lid === wid.user)) return { wid };
    return null;
  },
};
