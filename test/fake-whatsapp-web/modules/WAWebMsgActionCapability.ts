import type { MsgModel } from '../runtime/models.js';
import { takeEditFault } from '../runtime/world.js';

/** How long a message can be edited: a channel post 30 days, any other message 15 minutes (WhatsApp's help pages). */
const CHANNEL_EDIT_WINDOW_S = 30 * 24 * 3600;
const CHAT_EDIT_WINDOW_S = 15 * 60;

/** Own, sent (a channel post: accepted, with a server id) and still inside its edit window. */
function editable(msg: MsgModel): boolean {
  if (!msg.id.fromMe || msg.ack < 1) return false;
  const channel = msg.id.remote.server === 'newsletter';
  if (channel && msg.serverId === undefined) return false;
  const age = Date.now() / 1000 - msg.t;
  return age <= (channel ? CHANNEL_EDIT_WINDOW_S : CHAT_EDIT_WINDOW_S);
}

/**
 * WAWebMsgActionCapability: what may be done with a message. whatsapp-web.js's `Message.edit` asks
 * `canEditText(msg) || canEditCaption(msg)` and returns null without asking the server when neither
 * holds. The `expired` edit switch makes a post look past its window here.
 */
export const WAWebMsgActionCapability = {
  canEditText: (msg: MsgModel): boolean => msg.type === 'chat' && editable(msg) && takeEditFault(msg.text(), ['expired']) === null,
  canEditCaption: (msg: MsgModel): boolean =>
    msg.isMedia && ['image', 'video', 'gif'].includes(msg.type) && editable(msg) && takeEditFault(msg.text(), ['expired']) === null,
};
