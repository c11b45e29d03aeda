import { ChatModel, MsgModel } from '../runtime/models.js';
import { world } from '../runtime/world.js';
import { WAWebCollections } from './WAWebCollections.js';

/**
 * WAWebSendMsgChatAction: sends to a person's chat. Returns `[added, sent]` promises as WhatsApp Web
 * does; whatsapp-web.js then reads the message back from `Msg` by its key.
 */
export const WAWebSendMsgChatAction = {
  addAndSendMsgToChat: (chat: ChatModel, message: Record<string, unknown>): [Promise<MsgModel>, Promise<{ messageSendResult: string }>] => {
    const msg = new MsgModel({ ...message, ack: 1 });
    chat.msgs.add(msg);
    WAWebCollections.Msg.add(msg);
    world.sentDirect.push({ to: chat.id._serialized, body: String(msg.body ?? '') });
    return [Promise.resolve(msg), Promise.resolve({ messageSendResult: 'OK' })];
  },
};
