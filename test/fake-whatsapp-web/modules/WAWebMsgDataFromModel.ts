import type { MsgModel } from '../runtime/models.js';
import type { LocalMsgRecord } from '../runtime/storage.js';

/** WAWebMsgDataFromModel: the storable form of a message model (a media post keeps its caption as text). */
export const WAWebMsgDataFromModel = {
  msgDataFromMsgModel: (msg: MsgModel): LocalMsgRecord => ({
    id: msg.id._serialized,
    body: msg.text(),
    type: msg.type,
    t: msg.t,
    ack: msg.ack,
    ...(msg.serverId !== undefined ? { serverId: msg.serverId } : {}),
    ...(msg.directPath !== undefined ? { directPath: msg.directPath, mimetype: String(msg.mimetype ?? '') } : {}),
  }),
};
