/**
 * The one door to the outside world that posts. Implemented by the WhatsApp adapter and by the
 * dry-run outbox; the dispatcher knows nothing else.
 */

/** What the dispatcher hands a channel. `articleId` lets a read-back tell posts apart. */
export interface OutgoingPost {
  articleId: number;
  /**
   * The short name of the channel it goes to (several channels, issue 15). The adapter posts to that
   * channel's target and reads that channel back; absent: the adapter's own (first) channel.
   */
  channel?: string;
  /** The post's text; for an image post, the image's caption (what a read-back matches). */
  text: string;
  /** Post as this image with `text` as its caption. Absent: a text post. */
  image?: PostImage;
}

/** An image already fetched and checked (see channel/image-fetch.ts): its bytes are really an image of `mimetype`. */
export interface PostImage {
  /** Where it was fetched from (the article's imageUrl): what the dry run writes in its outbox line. */
  url: string;
  mimetype: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  data: Buffer;
  /** A file name for WhatsApp, e.g. `image.jpg`. */
  filename: string;
}

/** A post the channel has and which we found when reading it back. */
export interface ConfirmedPost {
  messageId: string;
  /** Epoch ms at which the channel says it was posted. */
  postedAt: number;
  /** True when the post found carries media (an image post); absent for a text post or when the channel cannot tell. */
  hasMedia?: boolean;
}

/** An edit of a post already on the channel: its message id and the full new text (or caption). */
export interface PostEdit {
  articleId: number;
  /** The short name of the channel the post is on (see OutgoingPost.channel). */
  channel?: string;
  messageId: string;
  text: string;
}

/**
 * What an edit did. `edited`: the channel took the new text (confirm it with findPost before counting
 * it). `not-editable`: the channel will not edit this message (too old for WhatsApp's edit window, not
 * ours, not found, refused), so retrying cannot help: post a follow-up instead. Transient failures
 * (not connected, page errors) are thrown as ChannelError; an edit is safe to repeat.
 */
export type EditResult = { kind: 'edited'; messageId: string } | { kind: 'not-editable'; reason: string };

/**
 * - `starting`: connecting (browser launching, session loading).
 * - `waiting-for-login`: needs a QR scan or a pairing code.
 * - `ready`: connected and the channel resolved: posting may go on.
 * - `disconnected`: lost the connection; the adapter is reconnecting.
 * - `logged-out`: the phone unlinked us; a person must log in again.
 * - `failed`: cannot work without a person (e.g. the channel does not exist); see `detail`.
 * - `stopped`: stop() was called.
 */
export type ChannelState = 'starting' | 'waiting-for-login' | 'ready' | 'disconnected' | 'logged-out' | 'failed' | 'stopped';

export interface ChannelStatus {
  state: ChannelState;
  /** What a person should know or do, e.g. "scan the QR code printed above". */
  detail?: string;
  since: number;
}

export interface LoginPrompt {
  kind: 'qr' | 'code';
  /** The QR code's text (render it as a QR image) or the pairing code, e.g. `ABCD-EFGH`. */
  value: string;
  /** Epoch ms when this prompt appeared (QR codes rotate about every 20 s). */
  since: number;
}

export interface ChannelInfo {
  /** `…@newsletter` id, or `outbox` for a dry run. */
  id: string;
  name: string;
  inviteLink: string | null;
}

/** Why a send or a read-back failed. `retryable: false` means retrying the same post cannot help. */
export class ChannelError extends Error {
  /**
   * True when the attempt ended before anything was sent because an earlier copy is still waiting
   * for the channel's answer: it is not held against the article's attempts.
   */
  readonly waiting: boolean;

  /**
   * True when the send certainly never reached the channel (it failed before anything was handed to the
   * server: media could not be prepared or uploaded, the library refused the content). An image post
   * failing this way may fall back to text at once; any other failure may have landed and must be read
   * back first.
   */
  readonly notSent: boolean;

  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; waiting?: boolean; notSent?: boolean },
  ) {
    super(message, options);
    this.name = 'ChannelError';
    this.waiting = options?.waiting ?? false;
    this.notSent = options?.notSent ?? false;
  }
}

export interface Channel {
  /** Short name for logs and the delivery log's `channel` column, e.g. `whatsapp:1203…@newsletter`. */
  readonly name: string;
  /** Connects. Resolves once connecting has begun; watch status() / onStatus() for `ready`. */
  start(): Promise<void>;
  status(): ChannelStatus;
  /** Called on every status change; returns an unsubscribe function. */
  onStatus(listener: (status: ChannelStatus) => void): () => void;
  /** The channel's id, name and invite link (once ready). */
  info(): ChannelInfo | null;
  /**
   * Sends the post and returns the message id the channel gave it. Throws ChannelError when the
   * channel refused or returned nothing. A returned id is not proof: call confirm().
   */
  send(post: OutgoingPost): Promise<string>;
  /**
   * Reads the channel back and returns the post if it is there, else null. Used after every send and,
   * after a crash, to learn whether an unfinished attempt reached the channel. An image post is found
   * by its caption (`text`), as is its text fallback; `hasMedia` tells them apart where the channel can.
   */
  findPost(post: OutgoingPost): Promise<ConfirmedPost | null>;
  /**
   * Edits a post already on the channel (a correction). Channels that cannot edit leave it out; the
   * caller then posts a follow-up. See EditResult for what it returns and throws.
   */
  editPost?(edit: PostEdit): Promise<EditResult>;
  /**
   * What a person must scan or type to log in right now (a QR code's text or a pairing code), or null
   * when nobody needs to act. Channels without a login (the outbox) leave it out.
   */
  loginPrompt?(): LoginPrompt | null;
  /** Closes and relaunches the connection (a planned browser restart to bound memory growth). */
  restart?(reason: string): Promise<void>;
  /** Disconnects and releases the browser or file. Idempotent. */
  stop(): Promise<void>;
}
