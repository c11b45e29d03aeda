import type { MsgModel } from '../runtime/models.js';
import type { LocalMsgRecord } from '../runtime/storage.js';

/** WAWebMsgDataFromModel: the storable form of a message model. */
export const WAWebMsgDataFromModel = {
  msgDataFromMsgModel: (msg: MsgModel): LocalMsgRecord => ({
    id: msg.id._serialized,
    body: String(msg.body ?? (msg as unknown as { pollName?: string }).pollName ?? ''),
    type: msg.type,
    t: msg.t,
    ack: msg.ack,
    ...(msg.serverId !== undefined ? { serverId: msg.serverId } : {}),
  }),
};
