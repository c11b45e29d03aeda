import { world } from '../runtime/world.js';
import { createWid, type Wid } from './WAWebWidFactory.js';

/** WAWebUserPrefsMeUser: the logged-in account's ids (`ClientInfo.wid`, the `from` of sent messages). */
export const WAWebUserPrefsMeUser = {
  getMaybeMePnUser: (): Wid | null => (world.session ? createWid(`${world.session.phone}@c.us`) : null),
  getMaybeMeLidUser: (): Wid | null => (world.session ? createWid(`${world.session.lid}@lid`) : null),
};
