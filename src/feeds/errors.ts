/** Why fetching a feed failed. */
export type FetchFailureKind =
  | 'bad-url'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'too-many-redirects'
  | 'redirect-loop'
  | 'network'
  | 'stopped';

/** Why a fetched body could not be read as a feed. */
export type ParseFailureKind = 'not-a-feed' | 'malformed' | 'binary';

/** Every way one poll of a feed can fail, as shown in `feeds` and poll reports. */
export type FeedFailureKind = FetchFailureKind | ParseFailureKind | 'internal';

/** The feed could not be fetched. The message says what happened and, where it helps, what to do. */
export class FeedFetchError extends Error {
  readonly kind: FetchFailureKind;
  /** HTTP status of the final answer, for `http-status`. */
  readonly httpStatus: number | null;
  /** How long the site asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | null;

  constructor(
    kind: FetchFailureKind,
    message: string,
    options: { cause?: unknown; httpStatus?: number; retryAfterMs?: number | null } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'FeedFetchError';
    this.kind = kind;
    this.httpStatus = options.httpStatus ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** The body is not a feed we can read (a web page, a binary file, broken XML). */
export class FeedParseError extends Error {
  readonly kind: ParseFailureKind;
  /** The feed a web page names in its `<link rel="alternate">`, when the answer was such a page. */
  readonly advertisedFeed: string | null;

  constructor(kind: ParseFailureKind, message: string, options: { cause?: unknown; advertisedFeed?: string | null } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FeedParseError';
    this.kind = kind;
    this.advertisedFeed = options.advertisedFeed ?? null;
  }
}

/** Feed settings (from a command or the environment) are invalid; the message lists every problem. */
export class FeedSettingsError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'FeedSettingsError';
  }
}

/** The failure kind of anything a poll threw. */
export function failureKind(err: unknown): FeedFailureKind {
  if (err instanceof FeedFetchError || err instanceof FeedParseError) return err.kind;
  return 'internal';
}
