import { ChannelError, type Channel } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import { errorDetail, errorMessage, type Logger } from '../log.js';
import type { Correction, CorrectionsStore } from '../store/corrections-store.js';
import { createReadBack } from './read-back.js';
import { retryDelayMs, withTimeout } from './timing.js';
import { createWakeLoop } from '../wake-loop.js';

export interface CorrectionWorkerOptions {
  store: CorrectionsStore;
  channel: Channel;
  clock: Clock;
  log: Logger;
  /** The follow-up's text for a correction WhatsApp will not edit in place (see articles/correction-text.ts). */
  followUpText(correction: Correction): string;
  /** How long one edit, send or read-back may take. */
  sendTimeoutMs: number;
  /** Tries per correction before it is failed. */
  maxAttempts: number;
  /** Waits between read-backs after an edit or a send. Default 0, 1 s, 3 s (as posts). */
  confirmDelaysMs?: readonly number[];
  /** Told when a correction is confirmed on the channel (webhooks, logs). */
  onCorrected?(correction: Correction): void;
}

/**
 * Applies recorded corrections to the channel, one at a time, the way the dispatcher posts: claim,
 * act, read back, record. An edit is confirmed by reading the channel back for the new text; an edit
 * WhatsApp refuses (too old, not found) turns into a follow-up post whose exact text is recorded before
 * it is sent. After a crash: an interrupted edit is looked for on the channel and made again if absent
 * (an edit to the same text is harmless); an interrupted follow-up is looked for and sent only if absent.
 * So a crash never posts two follow-ups and never loses a correction.
 */
export function createCorrectionWorker(options: CorrectionWorkerOptions) {
  const { store, channel, clock, log } = options;
  const finished = new Map<number, Array<() => void>>();
  const { readBack, confirm } = createReadBack({ channel, clock, timeoutMs: options.sendTimeoutMs, confirmDelaysMs: options.confirmDelaysMs });
  const loop = createWakeLoop({
    clock,
    log,
    name: 'correction',
    async pass() {
      while (!loop.stopped && channel.status().state === 'ready') {
        const due = store.nextDue(clock.now());
        if (!due) break;
        await apply(due);
      }
      const next = store.nextDueAt();
      if (next !== null && channel.status().state === 'ready') loop.arm(next);
    },
  });
  const { arm, wake } = loop;

  const unsubscribe = channel.onStatus((status) => {
    // Stryker disable next-line ConditionalExpression: a wake while the channel is not ready runs a pass that does nothing (the pass checks readiness itself)
    if (status.state === 'ready') wake();
  });

  async function apply(c: Correction): Promise<void> {
    const at = log.child({ correctionId: c.id, articleId: c.articleId, messageId: c.messageId });
    try {
      if (c.status === 'following-up') {
        await followUp(c, at);
        return;
      }
      // On the channel the corrected message is on (the delivery's channel).
      const edited = { articleId: c.articleId, channel: c.channel, text: c.text };
      if (c.status === 'editing' && (await readBack(edited))) {
        done(c, 'edited', null, at, 'found edited on the channel after an interruption');
        return;
      }
      store.markEditing(c.id, clock.now());
      const result = channel.editPost
        ? await withTimeout(channel.editPost({ articleId: c.articleId, channel: c.channel, messageId: c.messageId, text: c.text }), options.sendTimeoutMs, clock, 'editing the post')
        : ({ kind: 'not-editable', reason: 'this channel cannot edit posts' } as const);
      if (result.kind === 'not-editable') {
        const text = options.followUpText(c);
        store.markFollowingUp(c.id, text, result.reason, clock.now());
        at.info({ reason: result.reason }, 'the post cannot be edited; posting a follow-up correction');
        // Stryker disable next-line StringLiteral,ArithmeticOperator: followUp() and failed() read the status and attempts back from the store, not from this copy
        await followUp({ ...c, status: 'following-up', followUpText: text, attempts: c.attempts + 1 }, at, false);
        return;
      }
      const found = await confirm(edited);
      if (!found) throw new ChannelError('the edit was accepted but the new text was not found when reading the channel back', true);
      done(c, 'edited', null, at, 'post edited');
    } catch (err) {
      failed(c, err, at);
    }
  }

  /** Posts the recorded follow-up, unless the channel already has it (an earlier try that landed). */
  async function followUp(c: Correction, at: Logger, lookFirst = true): Promise<void> {
    const post = { articleId: c.articleId, channel: c.channel, text: c.followUpText! };
    try {
      const earlier = lookFirst ? await readBack(post) : null;
      if (earlier) {
        done(c, 'followed-up', earlier.messageId, at, 'follow-up found on the channel from an earlier try');
        return;
      }
      if (lookFirst) store.countAttempt(c.id, clock.now());
      const messageId = await withTimeout(channel.send(post), options.sendTimeoutMs, clock, 'sending the follow-up');
      store.noteFollowUpId(c.id, messageId, clock.now());
      const found = await confirm(post);
      if (!found) throw new ChannelError('the follow-up was accepted but not found when reading the channel back', true);
      done(c, 'followed-up', found.messageId, at, 'follow-up correction posted');
    } catch (err) {
      failed(c, err, at);
    }
  }

  function done(c: Correction, how: 'edited' | 'followed-up', followUpMessageId: string | null, at: Logger, message: string): void {
    store.markDone(c.id, how, clock.now(), followUpMessageId);
    at.info({ how, followUpMessageId }, message);
    const now = store.get(c.id) ?? c;
    try {
      options.onCorrected?.(now);
    } catch (err) {
      at.error({ ...errorDetail(err) }, 'correction listener failed');
    }
    settle(c.id);
  }

  function failed(c: Correction, err: unknown, at: Logger): void {
    const message = errorMessage(err);
    const now = clock.now();
    // Stryker disable next-line OptionalChaining: corrections are never deleted, so the row is always there
    const attempts = (store.get(c.id)?.attempts ?? c.attempts);
    const retryable = !(err instanceof ChannelError) || err.retryable;
    if (err instanceof ChannelError && err.waiting) {
      store.markRetry(c.id, message, now + 60_000, now);
      at.info({ reason: message }, 'a copy still waits for the channel; looking again in a minute');
      // Stryker disable next-line ArithmeticOperator: every pass arms the next due time after it anyway; an early wake finds nothing due
      arm(now + 60_000);
      return;
    }
    if (retryable && attempts < options.maxAttempts) {
      const retryAt = now + retryDelayMs(attempts);
      store.markRetry(c.id, message, retryAt, now);
      at.warn({ error: message, retryAt: new Date(retryAt).toISOString() }, 'correction try failed; will retry');
      arm(retryAt);
      return;
    }
    store.markFailed(c.id, message, now);
    at.error({ error: message }, 'correction failed');
    settle(c.id);
  }

  function settle(id: number): void {
    for (const resolve of finished.get(id) ?? []) resolve();
    finished.delete(id);
  }

  return {
    /** Starts applying what is due (also what a previous run left open). */
    start: wake,
    wake,
    /** Resolves when correction `id` is finished (done or failed) in this process, or after `timeoutMs`. */
    whenFinished(id: number, timeoutMs: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const cancel = clock.setTimer(timeoutMs, resolve);
        finished.set(id, [...(finished.get(id) ?? []), () => (cancel(), resolve())]);
      });
    },
    idle: loop.idle,
    async stop(): Promise<void> {
      unsubscribe();
      await loop.stop();
      for (const id of [...finished.keys()]) settle(id);
    },
  };
}

export type CorrectionWorker = ReturnType<typeof createCorrectionWorker>;
