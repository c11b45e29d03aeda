import { channelByInviteCode } from '../runtime/world.js';

/** The server's "no such channel" (whatsapp-web.js checks `err.name`). */
class ServerStatusCodeError extends Error {
  override name = 'ServerStatusCodeError';
}

/** WAWebNewsletterMetadataQueryJob: a channel's metadata by invite code, in the server's mixin shape. */
export const WAWebNewsletterMetadataQueryJob = {
  queryNewsletterMetadataByInviteCode: async (inviteCode: string, _role: string | null) => {
    const channel = channelByInviteCode(inviteCode);
    if (!channel) throw new ServerStatusCodeError(`fake WhatsApp Web: no channel for invite code ${inviteCode} (404)`);
    return {
      idJid: channel.id,
      newsletterCreationTimeMetadataMixin: { creationTimeValue: 1_700_000_000 },
      newsletterNameMetadataMixin: { nameElementValue: channel.name, nameUpdateTime: 1_700_000_000 },
      newsletterDescriptionMetadataMixin: { descriptionQueryDescriptionResponseMixin: { elementValue: '', updateTime: 1_700_000_000 } },
      newsletterInviteLinkMetadataMixin: { inviteCode: channel.inviteCode },
      newsletterStateMetadataMixin: { stateType: 'active' },
      newsletterSubscribersMetadataMixin: { subscribersCount: 1234 },
      newsletterVerificationMetadataMixin: { verificationState: 'unverified' },
    };
  },
};
