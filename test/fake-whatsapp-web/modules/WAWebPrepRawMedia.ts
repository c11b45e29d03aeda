import { OpaqueData } from './WAWebMediaOpaqueData.js';

/** The kinds of media WhatsApp Web knows, from a MIME type and the sender's wishes. */
function mediaKind(mimetype: string, params: PrepParams): string {
  if (params.asDocument) return 'document';
  if (mimetype === 'image/webp' && params.asSticker) return 'sticker';
  if (mimetype.startsWith('image/')) return 'image';
  if (mimetype.startsWith('video/')) return params.asGif ? 'gif' : 'video';
  if (mimetype.startsWith('audio/')) return params.isPtt ? 'ptt' : 'audio';
  return 'document';
}

interface PrepParams {
  asSticker?: boolean;
  asGif?: boolean;
  isPtt?: boolean;
  asDocument?: boolean;
  maxDimension?: number;
}

/**
 * Prepared media (WhatsApp Web's MediaData): whatsapp-web.js spreads its own fields into the message
 * (`...mediaOptions, ...mediaOptions.toJSON()`), sets `caption`, reads `preview` as the message body,
 * and `set()`s the upload's result. `mediaBlob` stays out of `toJSON()`.
 */
export class MediaData {
  type: string;
  mimetype: string;
  size: number;
  filehash: string;
  isGif: boolean;
  /** A thumbnail (base64), the body of a media message. */
  preview: string;
  mediaBlob: OpaqueData;

  constructor(fields: { type: string; mimetype: string; size: number; filehash: string; isGif: boolean; preview: string; mediaBlob: OpaqueData }) {
    this.type = fields.type;
    this.mimetype = fields.mimetype;
    this.size = fields.size;
    this.filehash = fields.filehash;
    this.isGif = fields.isGif;
    this.preview = fields.preview;
    this.mediaBlob = fields.mediaBlob;
  }

  set(fields: Record<string, unknown>): void {
    Object.assign(this, fields);
  }

  toJSON(): Record<string, unknown> {
    const { mediaBlob: _blob, ...rest } = this as unknown as Record<string, unknown>;
    return rest;
  }
}

/** WAWebPrepRawMedia: hashes the bytes, tells the media kind and makes a thumbnail (here: the first bytes). */
export const WAWebPrepRawMedia = {
  prepRawMedia: (data: OpaqueData, params: PrepParams) => ({
    waitForPrep: async (): Promise<MediaData> => {
      const bytes = new Uint8Array(await data.blob().arrayBuffer());
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const type = mediaKind(data.type, params);
      return new MediaData({
        type,
        mimetype: data.type,
        size: bytes.length,
        filehash: btoa(String.fromCharCode(...hash)),
        isGif: type === 'gif',
        preview: btoa(String.fromCharCode(...bytes.subarray(0, 48))),
        mediaBlob: data,
      });
    },
  }),
};
