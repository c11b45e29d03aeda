import { channelByInviteCode } from '../runtime/world.js';

/** WAWebNewsletterModelUtils: the account's role in the channel an invite code names. */
export const WAWebNewsletterModelUtils = {
  getRoleByIdentifier: (inviteCode: string): string | null => channelByInviteCode(inviteCode)?.role ?? null,
};
