import type { MsgModel } from '../runtime/models.js';
import { storage, type LocalMsgRecord } from '../runtime/storage.js';
import { never, takeSendFault } from '../runtime/world.js';
import { WAWebMsgDataFromModel } from './WAWebMsgDataFromModel.js';

/** Send faults taken when a post is first stored, applied later by the send job (by message id). */
export const decidedFaults = new Map<string, 'refuse' | 'pending'>();

/**
 * WAWebNewsletterUpdateMsgsRecordsJob: the page's own records of channel messages, in IndexedDB.
 * `addNewsletterMsgsRecords` is the first step of a channel send: the `throw` and `hang` switches act
 * here, before anything is stored or sent.
 */
export const WAWebNewsletterUpdateMsgsRecordsJob = {
  addNewsletterMsgsRecords: async (records: LocalMsgRecord[]): Promise<void> => {
    for (const record of records) {
      const fault = takeSendFault(record.body);
      if (fault === 'throw') throw new Error('fake WhatsApp Web: storing the channel message failed');
      if (fault === 'hang') await never();
      if (fault === 'refuse' || fault === 'pending') decidedFaults.set(record.id, fault);
      await storage.putLocalMsg(record);
    }
  },
  updateNewsletterMsgRecord: async (msg: MsgModel): Promise<void> => {
    await storage.putLocalMsg(WAWebMsgDataFromModel.msgDataFromMsgModel(msg));
  },
};
