import { world } from '../runtime/world.js';

interface UploadRequest {
  mimetype: string;
  mediaObject: { filehash: string; size: number };
  mediaType: string;
  calculateToken?: () => string;
}

/** What the media server answers (whatsapp-web.js `set()`s these on the prepared media). */
interface MediaEntry {
  mmsUrl: string;
  deprecatedMms3Url: string;
  directPath: string;
  mediaKey?: string;
  mediaKeyTimestamp: number;
  encFilehash?: string;
  uploadHash: string;
  handle?: string;
}

function entry(request: UploadRequest, encrypted: boolean): { mediaEntry: MediaEntry } {
  const token = request.calculateToken?.() ?? request.mediaObject.filehash;
  const path = `/${request.mediaType}/${encodeURIComponent(token).slice(0, 32)}`;
  const handle = encrypted ? undefined : `handle-${crypto.randomUUID()}`;
  if (handle) world.uploads.set(handle, { mimetype: request.mimetype, size: request.mediaObject.size });
  return {
    mediaEntry: {
      mmsUrl: `https://mmg.whatsapp.net${path}`,
      deprecatedMms3Url: `https://mmg.whatsapp.net/d${path}`,
      directPath: path,
      ...(encrypted ? { mediaKey: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))), encFilehash: request.mediaObject.filehash } : {}),
      mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      uploadHash: token,
      ...(handle ? { handle } : {}),
    },
  };
}

/**
 * WAWebMediaMmsV4Upload: the upload to WhatsApp's media servers (none here: the answer is made up).
 * Channel media goes unencrypted and comes back with a `handle` the channel post must carry.
 */
export const WAWebMediaMmsV4Upload = {
  uploadMedia: async (request: UploadRequest) => entry(request, true),
  uploadUnencryptedMedia: async (request: UploadRequest) => entry(request, false),
};
