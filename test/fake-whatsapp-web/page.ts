/// <reference lib="dom" />
/**
 * The fake WhatsApp Web page: what `https://web.whatsapp.com/` serves in the end-to-end tests, through
 * whatsapp-web.js's own local web cache (NEWSDESK_WA_WEB_VERSION + NEWSDESK_WA_WEB_CACHE_DIR). It
 * defines `window.Debug.VERSION` and a `window.require` handing out stand-ins for the WhatsApp Web
 * modules whatsapp-web.js 1.34.7 reads (one file each in modules/, named after the module), and
 * `window.fakeWhatsApp`, the control the tests drive through Chromium's DevTools port. See README.md.
 */
import type { FakeControl } from './control.js';
import { WABase64 } from './modules/WABase64.js';
import { WAMediaCalculateFilehash } from './modules/WAMediaCalculateFilehash.js';
import { WAWebMediaDataUtils } from './modules/WAWebMediaDataUtils.js';
import { WAWebMediaInMemoryBlobCache } from './modules/WAWebMediaInMemoryBlobCache.js';
import { WAWebMediaMetadata } from './modules/WAWebMediaMetadata.js';
import { WAWebMediaMmsV4Upload } from './modules/WAWebMediaMmsV4Upload.js';
import { WAWebMediaOpaqueData } from './modules/WAWebMediaOpaqueData.js';
import { WAWebMediaStorage } from './modules/WAWebMediaStorage.js';
import { WAWebMmsMediaTypes } from './modules/WAWebMmsMediaTypes.js';
import { WAWebMsgActionCapability } from './modules/WAWebMsgActionCapability.js';
import { WAWebPrepRawMedia } from './modules/WAWebPrepRawMedia.js';
import { WAWebSendMessageEditAction } from './modules/WAWebSendMessageEditAction.js';
import { WALinkify } from './modules/WALinkify.js';
import { WAWebAltDeviceLinkingApi } from './modules/WAWebAltDeviceLinkingApi.js';
import { WAWebApiContact } from './modules/WAWebApiContact.js';
import { WAWebChatGetters } from './modules/WAWebChatGetters.js';
import { WAWebChatLoadMessages } from './modules/WAWebChatLoadMessages.js';
import { WAWebCmd } from './modules/WAWebCmd.js';
import { WAWebCollections } from './modules/WAWebCollections.js';
import { WAWebCompanionRegClientUtils } from './modules/WAWebCompanionRegClientUtils.js';
import { WAWebConnModel } from './modules/WAWebConnModel.js';
import { WAWebFindChatAction } from './modules/WAWebFindChatAction.js';
import { WAWebGetEphemeralFieldsMsgActionsUtils } from './modules/WAWebGetEphemeralFieldsMsgActionsUtils.js';
import { WAWebLinkPreviewChatAction } from './modules/WAWebLinkPreviewChatAction.js';
import { WAWebLoadNewsletterPreviewChatAction } from './modules/WAWebLoadNewsletterPreviewChatAction.js';
import { MsgKey } from './modules/WAWebMsgKey.js';
import { WAWebMsgDataFromModel } from './modules/WAWebMsgDataFromModel.js';
import { WAWebNewsletterMetadataQueryJob } from './modules/WAWebNewsletterMetadataQueryJob.js';
import { WAWebNewsletterModelUtils } from './modules/WAWebNewsletterModelUtils.js';
import { WAWebNewsletterSendMessageJob } from './modules/WAWebNewsletterSendMessageJob.js';
import { WAWebNewsletterUpdateMsgsRecordsJob } from './modules/WAWebNewsletterUpdateMsgsRecordsJob.js';
import { WAWebOfflineHandler } from './modules/WAWebOfflineHandler.js';
import { WAWebQueryExistsJob } from './modules/WAWebQueryExistsJob.js';
import { WAWebSendMsgChatAction } from './modules/WAWebSendMsgChatAction.js';
import { WAWebSignalStoreApi } from './modules/WAWebSignalStoreApi.js';
import { WAWebSocketModel } from './modules/WAWebSocketModel.js';
import { WAWebStreamModel } from './modules/WAWebStreamModel.js';
import { WAWebSyncGatingUtils } from './modules/WAWebSyncGatingUtils.js';
import { WAWebUpdateUnreadChatAction } from './modules/WAWebUpdateUnreadChatAction.js';
import { WAWebUserPrefsInfoStore } from './modules/WAWebUserPrefsInfoStore.js';
import { WAWebUserPrefsMeUser } from './modules/WAWebUserPrefsMeUser.js';
import { WAWebUserPrefsMultiDevice } from './modules/WAWebUserPrefsMultiDevice.js';
import { WAWebWidFactory } from './modules/WAWebWidFactory.js';
import { createControl } from './runtime/control.js';
import { boot } from './runtime/session.js';
import { world } from './runtime/world.js';

declare global {
  interface Window {
    Debug: { VERSION: string };
    /** Modules asked for that this page does not have (whatsapp-web.js tolerates some being absent). */
    fakeMissingModules: string[];
  }
}

const MODULES: Record<string, unknown> = {
  WAMediaCalculateFilehash,
  WAWebMediaDataUtils,
  WAWebMediaInMemoryBlobCache,
  WAWebMediaMetadata,
  WAWebMediaMmsV4Upload,
  WAWebMediaOpaqueData,
  WAWebMediaStorage,
  WAWebMmsMediaTypes,
  WAWebMsgActionCapability,
  WAWebPrepRawMedia,
  WAWebSendMessageEditAction,
  WABase64,
  WALinkify,
  WAWebAltDeviceLinkingApi,
  WAWebApiContact,
  WAWebChatGetters,
  WAWebChatLoadMessages,
  WAWebCmd,
  WAWebCollections,
  WAWebCompanionRegClientUtils,
  WAWebConnModel,
  WAWebFindChatAction,
  WAWebGetEphemeralFieldsMsgActionsUtils,
  WAWebLinkPreviewChatAction,
  WAWebLoadNewsletterPreviewChatAction,
  WAWebMsgKey: MsgKey,
  WAWebMsgDataFromModel,
  WAWebNewsletterMetadataQueryJob,
  WAWebNewsletterModelUtils,
  WAWebNewsletterSendMessageJob,
  WAWebNewsletterUpdateMsgsRecordsJob,
  WAWebOfflineHandler,
  WAWebQueryExistsJob,
  WAWebSendMsgChatAction,
  WAWebSignalStoreApi,
  WAWebSocketModel,
  WAWebStreamModel,
  WAWebSyncGatingUtils,
  WAWebUpdateUnreadChatAction,
  WAWebUserPrefsInfoStore,
  WAWebUserPrefsMeUser,
  WAWebUserPrefsMultiDevice,
  WAWebWidFactory,
};

window.fakeMissingModules = [];
// Not declared on Window: Node's `require` type would clash in the shared type check.
(window as unknown as { require: (name: string) => unknown }).require = (name: string): unknown => {
  if (name in MODULES) return MODULES[name];
  if (!window.fakeMissingModules.includes(name)) window.fakeMissingModules.push(name);
  return undefined;
};
window.fakeWhatsApp = createControl() satisfies FakeControl;
window.Debug = { VERSION: world.options.version };

document.title = 'WhatsApp (fake)';
boot().catch((err: unknown) => console.error('fake WhatsApp Web: boot failed', err));
