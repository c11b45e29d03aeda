import type { MsgModel } from '../runtime/models.js';

/**
 * WAWebMediaMetadata: the media fields a channel post sends to the server. Current WhatsApp Web builds
 * have this module and message models no longer have `avParams()` (whatsapp-web.js 1.34.7 still calls
 * `msg.avParams()`: upstream #201823; PR #201824 calls `mediaMetadata(msg)` instead). So the fake's
 * message model has no `avParams`, and the unpatched library fails here exactly as on WhatsApp Web.
 */
export const WAWebMediaMetadata = {
  mediaMetadata: (msg: MsgModel): Record<string, unknown> => {
    const m = msg as MsgModel & { size?: number; filehash?: string };
    return { type: msg.type, mimetype: msg.mimetype, size: m.size, filehash: m.filehash, directPath: msg.directPath };
  },
};
