import { ChannelError, type ConfirmedPost, type OutgoingPost } from '../channel/channel.js';
import type { ImageFetchResult, ImageProblem } from '../channel/image-fetch.js';
import { errorMessage, type Logger } from '../log.js';

/** Why an image post went out as text: an image problem, or the image send that failed. */
export type ImageFallbackReason = ImageProblem | 'send-refused' | 'send-failed';

/** An image post that went out as text: why (the metric's label) and the delivery's detail line. */
export interface ImageFallback {
  reason: ImageFallbackReason;
  /** `image fallback: <what happened>`, kept on the delivery. */
  detail: string;
}

export interface ImagePostSteps {
  fetchImage(url: string): Promise<ImageFetchResult>;
  /** Sends a post (bounded by the send timeout) and returns the channel's message id. */
  send(post: OutgoingPost): Promise<string>;
  /** Reads the channel back a few times (the dispatcher's confirm); null when the post is not there. */
  confirm(post: OutgoingPost): Promise<ConfirmedPost | null>;
  /** Remembers the message id the channel gave, before confirmation. */
  noteMessageId(messageId: string): void;
  log: Logger;
}

/**
 * Posts an article with an image: the image with the text as its caption, or the text alone when the
 * image cannot be fetched or posted. Never two copies: a failed image send that may have reached the
 * channel (anything but a failure known to come before the server was asked) is read back first, and
 * found means posted; one still waiting for the server's answer stops the attempt (nothing is sent
 * until it is answered). Returns the confirmed post and the fallback, if there was one; throws
 * ChannelError as a text post would (the attempt is then retried from the start).
 */
export async function postWithImage(
  steps: ImagePostSteps,
  text: OutgoingPost,
  imageUrl: string,
): Promise<{ confirmed: ConfirmedPost | null; fallback: ImageFallback | null }> {
  const fetched = await steps.fetchImage(imageUrl);
  let fallback: ImageFallback;
  if (!fetched.ok) {
    fallback = { reason: fetched.problem, detail: `image fallback: the image could not be used (${fetched.problem}: ${fetched.detail})` };
  } else {
    const imagePost: OutgoingPost = { ...text, image: fetched.image };
    try {
      steps.noteMessageId(await steps.send(imagePost));
      const confirmed = await steps.confirm(imagePost);
      if (confirmed) return { confirmed, fallback: null };
      fallback = { reason: 'send-failed', detail: 'image fallback: the image post was not found when reading the channel back' };
    } catch (err) {
      if (err instanceof ChannelError && err.notSent) {
        fallback = { reason: 'send-refused', detail: `image fallback: WhatsApp could not post the image (${errorMessage(err)})` };
      } else {
        // It may have landed (a lost answer, a timeout): look before sending anything else. A copy still
        // waiting for the server makes confirm() throw a `waiting` ChannelError, which ends the attempt.
        steps.log.warn({ error: errorMessage(err), imageUrl }, 'image send failed; reading the channel back before any fallback');
        const landed = await steps.confirm(imagePost);
        if (landed) return { confirmed: landed, fallback: null };
        fallback = { reason: 'send-failed', detail: `image fallback: the image send failed (${errorMessage(err)}) and the post is not on the channel` };
      }
    }
  }
  steps.log.warn({ imageUrl, reason: fallback.reason, detail: fallback.detail }, 'posting the article as text instead of an image');
  steps.noteMessageId(await steps.send(text));
  return { confirmed: await steps.confirm(text), fallback };
}
