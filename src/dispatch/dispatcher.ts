import type { Article } from '../articles/article.js';
import { ChannelError, type Channel, type ConfirmedPost, type OutgoingPost } from '../channel/channel.js';
import type { Clock } from '../clock.js';
import { errorDetail, errorMessage, type Logger } from '../log.js';
import type { ArticleQueue, ClaimableChannels, Render } from '../store/article-queue.js';
import { isBusy } from '../store/busy-retry.js';
import { isStorageUnwritable } from '../store/open-database.js';
import type { Delivery } from '../store/rows.js';
import type { ImageFetchResult } from '../channel/image-fetch.js';
import { postWithImage, type ImageFallbackReason } from './image-post.js';
import { checkPacing, drawJitter, type PacingHistory, type PacingRules, type PacingVerdict, type QuietHours } from './pacing.js';
import { createReadBack } from './read-back.js';
import { retryDelayMs, withTimeout } from './timing.js';

/** A channel the dispatcher posts to: its short name, whether it is paused, and its own pacing. */
export interface DeliveryChannel {
  name: string;
  paused: boolean;
  pacing: { minGapMs: number; maxPerHour: number; quietHours: QuietHours | null };
}

export interface DispatcherEvents {
  /** An article was confirmed on the channel. */
  posted?(article: Article, delivery: Delivery): void;
  /** An article failed for good on `channel` (attempts used up or content that cannot be posted). */
  failed?(article: Article, error: string, channel?: string): void;
  /** An article with an image was posted as text instead (the image could not be fetched or posted). */
  imageFallback?(article: Article, reason: ImageFallbackReason, detail: string): void;
}

export interface DispatcherOptions {
  queue: ArticleQueue;
  channel: Channel;
  clock: Clock;
  log: Logger;
  render: Render;
  /** Minimum time between the starts of two attempts (on one channel; the default for channels). */
  minGapMs: number;
  /**
   * The channels to post to, read on every loop (so a `channel add`, `pause` or pacing change made by
   * another process counts). Default: the queue's default channel alone, with the pacing above.
   */
  channels?: () => readonly DeliveryChannel[];
  /** Hourly cap, jitter and quiet hours (default: none of them). */
  pacing?: Partial<Omit<PacingRules, 'minGapMs'>>;
  /** Random numbers in [0, 1) for jitter; injectable for tests. */
  random?: () => number;
  /** Attempts per article before it is failed. */
  maxAttempts: number;
  /** How long one send may take, and separately one read-back. */
  sendTimeoutMs: number;
  /** Waits between read-backs after a send: the channel may need a moment to show the post. */
  confirmDelaysMs?: readonly number[];
  /** Delay before retry number n. */
  retryDelay?: (attempt: number) => number;
  /** Whether an admin paused posting (read on every loop, so a pause from another process counts). */
  isPaused?: () => boolean;
  /** How long stop() waits for a post in flight before leaving it to be reconciled at the next start. */
  stopGraceMs?: number;
  events?: DispatcherEvents;
  /** Fetches article images for image posts; without it every article is posted as text. */
  images?: { fetchImage(url: string): Promise<ImageFetchResult> };
  /** Keeps a note on a delivery (`image fallback: …`); see store/delivery-details.ts. */
  noteDetail?(deliveryId: number, detail: string): void;
}

export interface DispatcherStatus {
  paused: boolean;
  inFlight: { articleId: number; since: number } | null;
  lastAttemptAt: number | null;
  /** When the dispatcher will look again by itself (gap end, publish time or retry), if it knows. */
  nextWakeAt: number | null;
  /** Why normal posting waits right now on the first channel (pacing), and until when; null when it does not. */
  waiting: { reason: string; until: number; breakingMayGo: boolean } | null;
  /** The same per channel, by short name (channels not waiting are left out). */
  waitingByChannel: Record<string, { reason: string; until: number; breakingMayGo: boolean }>;
  /** Normal untimed articles created up to this time have been released by the schedule. */
  releasedThrough: number;
}


/** How soon a post whose earlier copy still waits for the channel's answer is looked at again. */
const WAITING_RECHECK_MS = 60_000;
/**
 * The posting loop. Anything may wake it (a cron tick, an enqueue, a timer, the channel becoming ready);
 * the database decides what is due, so extra or missing wake-ups change nothing but latency. One post is
 * in flight at a time, attempts start at least `minGapMs` apart, and a post counts only once the channel
 * read-back finds it.
 */
export function createDispatcher(options: DispatcherOptions) {
  const { queue, channel, clock, log, render } = options;
  const retryDelay = options.retryDelay ?? ((n: number) => retryDelayMs(n));
  const stopGraceMs = options.stopGraceMs ?? 10_000;
  const { readBack, confirm } = createReadBack({ channel, clock, timeoutMs: options.sendTimeoutMs, confirmDelaysMs: options.confirmDelaysMs });
  const isPaused = options.isPaused ?? (() => false);

  const rules: PacingRules = {
    minGapMs: options.minGapMs,
    jitterMs: options.pacing?.jitterMs ?? 0,
    maxPerHour: options.pacing?.maxPerHour ?? 0,
    quietHours: options.pacing?.quietHours ?? null,
    breakingInQuietHours: options.pacing?.breakingInQuietHours ?? true,
    timezone: options.pacing?.timezone ?? 'UTC',
  };
  const random = options.random ?? Math.random;
  const channels =
    options.channels ??
    // Stryker disable next-line ObjectLiteral: the default channel's pacing is the global rules, which rulesOf() spreads under it anyway (and the jitter check falls back to them)
    (() => [{ name: queue.defaultChannel, paused: false, pacing: { minGapMs: rules.minGapMs, maxPerHour: rules.maxPerHour, quietHours: rules.quietHours } }]);
  let releasedThrough = clock.now();
  /** Each channel's pacing history, read from the delivery log the first time it is seen (restart-aware). */
  const histories = new Map<string, PacingHistory>();
  const historyOf = (name: string): PacingHistory => {
    let history = histories.get(name);
    if (!history) {
      history = {
        lastAttemptAt: queue.lastAttemptAt(name),
        jitterAfterLastMs: 0,
        startsInLastHour: queue.attemptStartsSince(clock.now() - 3_600_000, name),
      };
      histories.set(name, history);
    }
    return history;
  };
  const rulesOf = (c: DeliveryChannel): PacingRules => ({ ...rules, ...c.pacing });
  let lastAttemptAt: number | null = queue.lastAttemptAt();
  let waiting: DispatcherStatus['waiting'] = null;
  let waitingByChannel: DispatcherStatus['waitingByChannel'] = {};
  let stopped = false;
  let reconciled = false;
  let inFlight: { articleId: number; since: number } | null = null;
  let running: Promise<void> | null = null;
  // Stryker disable next-line BooleanLiteral: pump() sets it to false before every pass
  let again = false;
  let timer: { at: number; cancel: () => void } | null = null;

  const unsubscribe = channel.onStatus((status) => {
    if (status.state === 'ready') wake('channel ready');
  });

  function arm(at: number): void {
    if (stopped) return;
    // Equivalent survivor, not marked (a mark would hide killed mutants): `timer.at < at` only replaces a wake-up with one at the same time.
    if (timer && timer.at <= at && timer.at > clock.now()) return; // an earlier wake is already set
    timer?.cancel();
    const cancel = clock.setTimer(Math.max(0, at - clock.now()), () => {
      timer = null;
      wake('timer');
    });
    timer = { at, cancel };
  }

  /** Asks the loop to look at the queue. Cheap and safe to call any number of times. */
  function wake(reason: string): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    log.trace({ reason }, 'dispatcher woken');
    running = pump().finally(() => {
      running = null;
    });
  }

  /** The growing pause after the database was found locked by another process (0: it was not). */
  let busyPauseMs = 0;

  async function pump(): Promise<void> {
    do {
      again = false;
      try {
        await drain();
        busyPauseMs = 0;
      } catch (err) {
        // The error boundary of the posting loop: log, back off a little, never crash the process.
        // Nothing is sent without its claim written first, so a database that cannot be written stops
        // posting. Attempts it could not finish recording are settled against the channel next time.
        reconciled = false;
        if (isBusy(err)) {
          // Another process holds the write lock (SQLite waited only briefly, so the event loop stayed
          // free): look again soon, sooner than after a failure.
          busyPauseMs = Math.min(busyPauseMs * 2 || 50, 1_000);
          log.warn({ retryInMs: busyPauseMs }, 'the database is locked by another process; posting looks again shortly');
          arm(clock.now() + busyPauseMs);
          continue;
        }
        if (isStorageUnwritable(err)) {
          log.error(
            { ...errorDetail(err) },
            `the database cannot be written (${(err as { code?: string }).code}): posting is stopped until it can; free disk space or fix the data folder's permissions. Looking again in 30 s`,
          );
        } else {
          log.error({ ...errorDetail(err) }, 'posting loop failed; will look again in 30 s');
        }
        arm(clock.now() + 30_000);
      }
    } while (again && !stopped);
  }

  async function drain(): Promise<void> {
    while (!stopped && !isPaused()) {
      const state = channel.status().state;
      if (state !== 'ready') return; // the status listener wakes us when it is
      if (!reconciled) {
        await reconcile();
        reconciled = true;
        continue; // a pause or stop may have come while reconciling
      }
      const now = clock.now();
      // Each channel's own pacing: a gap, cap or quiet hours on one channel holds only that channel's posts.
      // Stryker disable next-line ArrayDeclaration: a channel name no article is routed to claims nothing and wakes nothing
      const open: ClaimableChannels = { normal: [], breakingOnly: [] };
      const blockedUntil: number[] = [];
      const waits: DispatcherStatus['waitingByChannel'] = {};
      const specs = channels();
      for (const spec of specs) {
        if (spec.paused) continue; // a paused channel holds its own posts only
        const history = historyOf(spec.name);
        const channelRules = rulesOf(spec);
        // Stryker disable next-line StringLiteral: checkPacing only asks whether the priority is 'breaking'
        const normal: PacingVerdict = checkPacing(now, 'normal', history, channelRules);
        const breaking = normal.ok ? normal : checkPacing(now, 'breaking', history, channelRules);
        if (normal.ok) (open.normal as string[]).push(spec.name);
        else {
          waits[spec.name] = { reason: normal.reason, until: normal.until, breakingMayGo: breaking.ok };
          blockedUntil.push(breaking.ok ? normal.until : Math.min(breaking.until, normal.until));
          if (breaking.ok) (open.breakingOnly as string[]).push(spec.name);
        }
      }
      waitingByChannel = waits;
      const first = specs.find((s) => !s.paused);
      waiting = first ? (waits[first.name] ?? null) : null;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with no channel open both lists are empty and a claim finds nothing anyway
      const claim = open.normal.length + open.breakingOnly.length > 0 ? queue.claimNext(now, releasedThrough, open, render) : null;
      if (!claim) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: with no channel open both lists are empty and nextWakeAt finds nothing anyway
        const at = open.normal.length + open.breakingOnly.length > 0 ? queue.nextWakeAt(releasedThrough, open) : null;
        if (at !== null) arm(at);
        if (blockedUntil.length > 0) arm(Math.min(...blockedUntil));
        return;
      }
      if (claim.kind === 'unpostable') {
        log.warn({ articleId: claim.article.id, channel: claim.channel, error: claim.error }, 'article cannot be posted; marked failed');
        emit('failed', () => options.events?.failed?.(claim.article, claim.error, claim.channel));
        continue;
      }
      const history = historyOf(claim.channel);
      const spec = specs.find((s) => s.name === claim.channel);
      lastAttemptAt = now;
      history.lastAttemptAt = now;
      // Jitter varies a gap; with no gap configured (tests, bursts on purpose) there is none to vary.
      // Stryker disable next-line OptionalChaining: the claimed channel is always one of specs (it was offered from them)
      history.jitterAfterLastMs = (spec?.pacing.minGapMs ?? rules.minGapMs) > 0 ? drawJitter(rules.jitterMs, random) : 0;
      // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: checkPacing counts only the last hour itself; this filter only keeps the list short
      history.startsInLastHour = [...history.startsInLastHour.filter((t) => t > now - 3_600_000), now];
      await attempt(claim.article, claim.delivery);
      // A fast channel (the outbox) never yields on its own: give signals, logs, the heartbeat and
      // HTTP requests their turn between posts, so a stop is acted on before the next one starts.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async function attempt(article: Article, delivery: Delivery): Promise<void> {
    const post: OutgoingPost = { articleId: article.id, channel: delivery.channel, text: delivery.text };
    inFlight = { articleId: article.id, since: clock.now() };
    const attemptLog = log.child({ articleId: article.id, channel: delivery.channel, deliveryId: delivery.id, attempt: delivery.attempt });
    try {
      // A previous attempt (also one before a `retry` or a re-queue) may have landed after we gave up
      // on it: look before sending again.
      const earlier = queue.hadEarlierAttempt(article.id, delivery.id) ? await readBack(post) : null;
      if (earlier) {
        recordPosted(article, delivery, earlier, attemptLog, 'found from an earlier attempt');
        return;
      }
      const confirmed = article.imageUrl && options.images ? await imageAttempt(article, delivery, post, article.imageUrl, attemptLog) : await textAttempt(delivery, post);
      if (!confirmed) {
        throw new ChannelError('the channel accepted the post but it was not found when reading the channel back', true);
      }
      recordPosted(article, delivery, confirmed, attemptLog, 'posted');
    } catch (err) {
      recordFailure(article, delivery, err, attemptLog);
    } finally {
      inFlight = null;
    }
  }

  async function textAttempt(delivery: Delivery, post: OutgoingPost): Promise<ConfirmedPost | null> {
    const messageId = await withTimeout(channel.send(post), options.sendTimeoutMs, clock, 'sending the post');
    queue.noteMessageId(delivery.id, messageId);
    return confirm(post);
  }

  /** The image with the text as its caption, or the text alone when the image cannot be fetched or posted (image-post.ts). */
  async function imageAttempt(article: Article, delivery: Delivery, post: OutgoingPost, imageUrl: string, attemptLog: Logger): Promise<ConfirmedPost | null> {
    const { confirmed, fallback } = await postWithImage(
      {
        fetchImage: (url) => options.images!.fetchImage(url),
        send: (p) => withTimeout(channel.send(p), options.sendTimeoutMs, clock, p.image ? 'sending the image post' : 'sending the post'),
        confirm,
        noteMessageId: (messageId) => queue.noteMessageId(delivery.id, messageId),
        log: attemptLog,
      },
      post,
      imageUrl,
    );
    if (fallback) {
      options.noteDetail?.(delivery.id, fallback.detail);
      emit('imageFallback', () => options.events?.imageFallback?.(article, fallback.reason, fallback.detail));
    }
    return confirmed;
  }

  /** Runs an event listener; what it throws is logged and never reaches the posting path. */
  function emit(event: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      log.error({ event, ...errorDetail(err) }, 'event listener failed');
    }
  }

  function recordPosted(article: Article, delivery: Delivery, confirmed: ConfirmedPost, attemptLog: Logger, how: string): void {
    const now = clock.now();
    queue.markPosted(delivery.id, confirmed.messageId, now);
    attemptLog.info({ messageId: confirmed.messageId, latencyMs: now - article.createdAt }, how);
    const finished = queue.deliveriesOf(article.id).find((d) => d.id === delivery.id) ?? delivery;
    emit('posted', () => options.events?.posted?.(queue.get(article.id) ?? article, finished));
  }

  function recordFailure(article: Article, delivery: Delivery, err: unknown, attemptLog: Logger): void {
    const message = errorMessage(err);
    const retryable = !(err instanceof ChannelError) || err.retryable;
    const now = clock.now();
    if (err instanceof ChannelError && err.waiting) {
      // Nothing was sent: an earlier copy still waits for the channel's answer. Not held against the
      // article; looked at again a minute later (the channel bounds how long a copy may wait).
      const retryAt = now + WAITING_RECHECK_MS;
      queue.markFailed(delivery.id, message, now, { retryAt }, 'abandoned');
      attemptLog.info({ reason: message, retryAt: new Date(retryAt).toISOString() }, 'an earlier copy is still waiting for the channel; not sending again yet');
      arm(retryAt);
      return;
    }
    // This channel's attempts (each channel of an article counts its own).
    const attemptsUsed = delivery.attempt;
    if (retryable && attemptsUsed < options.maxAttempts) {
      const retryAt = now + retryDelay(attemptsUsed);
      queue.markFailed(delivery.id, message, now, { retryAt });
      attemptLog.warn({ error: message, retryAt: new Date(retryAt).toISOString() }, 'attempt failed; will retry');
      arm(retryAt);
    } else {
      const final = retryable ? `${message} (gave up after ${attemptsUsed} attempts)` : message;
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: markFailed tells a retry from a final failure by `'retryAt' in next` alone
      queue.markFailed(delivery.id, final, now, { final: true });
      attemptLog.error({ error: final }, 'article failed');
      emit('failed', () => options.events?.failed?.(queue.get(article.id) ?? article, final, delivery.channel));
    }
  }

  /**
   * Settles attempts a crash or stop left open: if the channel has the post it is recorded as posted,
   * otherwise the article goes back to the queue. Runs once, when the channel is first ready.
   */
  async function reconcile(): Promise<void> {
    for (const open of queue.openAttempts()) {
      const post = { articleId: open.article.id, channel: open.delivery.channel, text: open.delivery.text };
      const found = await readBack(post);
      const now = clock.now();
      if (found) {
        recordPosted(open.article, open.delivery, found, log.child({ articleId: open.article.id }), 'reconciled: found on the channel');
      } else {
        queue.markFailed(open.delivery.id, 'interrupted before it was confirmed; not on the channel, queued again', now, { retryAt: now }, 'abandoned');
        log.warn({ articleId: open.article.id, deliveryId: open.delivery.id }, 'reconciled: not on the channel, queued again');
      }
    }
    for (const stranded of queue.strandedPosting()) {
      queue.unstick(stranded.id, clock.now(), stranded.channel);
      log.warn({ articleId: stranded.id, channel: stranded.channel }, 'article was stuck in posting; queued again');
    }
  }

  return {
    /** Starts looking at the queue (reconciling first, once the channel is ready). */
    start(): void {
      wake('start');
    },
    wake,
    /** A schedule tick: normal articles created up to `at` may now go out. */
    release(at: number): void {
      // Stryker disable next-line EqualityOperator: at === releasedThrough assigns the same value
      if (at > releasedThrough) releasedThrough = at;
      wake('schedule tick');
    },
    status(): DispatcherStatus {
      return { paused: isPaused(), inFlight, lastAttemptAt, nextWakeAt: timer?.at ?? null, releasedThrough, waiting, waitingByChannel };
    },
    /** Resolves when the loop is idle (for tests and shutdown). */
    async idle(): Promise<void> {
      while (running) await running;
    },
    /**
     * Stops waking and waits up to the grace period for a post in flight; one still unfinished then stays
     * `sending` in the database and is reconciled against the channel at the next start.
     */
    async stop(): Promise<{ abandoned: boolean }> {
      stopped = true;
      timer?.cancel();
      timer = null;
      unsubscribe();
      if (!running) return { abandoned: false };
      const finished = await Promise.race([
        running.then(() => true),
        new Promise<boolean>((resolve) => clock.setTimer(stopGraceMs, () => resolve(false))),
      ]);
      return { abandoned: !finished };
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
