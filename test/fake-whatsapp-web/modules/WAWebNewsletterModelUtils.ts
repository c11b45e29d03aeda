import { world } from '../runtime/world.js';

/** WAWebNewsletterModelUtils: the account's role in the channel an invite code names. */
export const WAWebNewsletterModelUtils = {
  getRoleByIdentifier: (inviteCode: string): string | null => (inviteCode === world.options.channel.inviteCode ? world.options.channel.role : null),
};
