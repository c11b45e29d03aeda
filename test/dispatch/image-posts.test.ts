import { describe, expect, it } from 'vitest';
import { formatPost } from '../../src/articles/format.js';
import { ChannelError, type PostImage } from '../../src/channel/channel.js';
import type { ImageFetchResult } from '../../src/channel/image-fetch.js';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createCorrectionsStore } from '../../src/store/corrections-store.js';
import { runUntilIdle } from '../fakes/fake-clock.js';
import { dispatchParts } from '../helpers/dispatch-parts.js';

const IMAGE_URL = 'https://cdn.example.com/quake.jpg';
const IMAGE: PostImage = { url: IMAGE_URL, mimetype: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), filename: 'image.jpg' };

function setup(fetchResult: ImageFetchResult = { ok: true, image: IMAGE }) {
  const { clock, db, queue, channel, log, entries } = dispatchParts();
  const details = createCorrectionsStore(db);
  const metrics = createMetrics({ defaultMetrics: false });
  const fallbacks: { articleId: number; reason: string; detail: string }[] = [];
  const fetched: string[] = [];
  const dispatcher = createDispatcher({
    queue,
    channel,
    clock,
    log,
    render: (a) => formatPost(a, { summaryMaxChars: 200, breakingLabel: 'BREAKING' }),
    minGapMs: 0,
    maxAttempts: 3,
    sendTimeoutMs: 30_000,
    confirmDelaysMs: [0, 1_000],
    retryDelay: () => 60_000,
    images: {
      fetchImage: async (url) => {
        fetched.push(url);
        return fetchResult;
      },
    },
    noteDetail: (id, detail) => details.noteDelivery(id, detail),
    events: {
      ...metrics.events,
      imageFallback: (article, reason, detail) => {
        metrics.events.imageFallback(article, reason);
        fallbacks.push({ articleId: article.id, reason, detail });
      },
    },
  });
  const enqueue = (imageUrl: string | null = IMAGE_URL) => {
    const { article } = queue.enqueue({ headline: 'Quake hits Sabah', url: 'https://news.example.com/quake', priority: 'breaking', ...(imageUrl ? { imageUrl } : {}) }, clock.now());
    dispatcher.wake('enqueue');
    return article;
  };
  const run = (ms = 0) => runUntilIdle(clock, dispatcher, ms);
  const detailOf = (articleId: number) => [...details.deliveryDetails(articleId).values()];
  const fallbackCount = async (reason: string) => {
    const text = await metrics.render();
    const match = new RegExp(`newsdesk_image_fallbacks_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
  };
  dispatcher.start();
  return { clock, queue, channel, dispatcher, entries, enqueue, run, fallbacks, fetched, detailOf, fallbackCount };
}

describe('image posts', () => {
  it('posts the image with the text as its caption, confirmed by reading the caption back', async () => {
    const t = setup();
    const article = t.enqueue();
    await t.run();
    expect(t.fetched).toEqual([IMAGE_URL]);
    expect(t.channel.sendCalls).toHaveLength(1);
    expect(t.channel.sendCalls[0]!.post).toMatchObject({ articleId: article.id, text: '*BREAKING: Quake hits Sabah*\n\nhttps://news.example.com/quake', image: IMAGE });
    expect(t.channel.posted).toEqual([expect.objectContaining({ image: IMAGE_URL })]);
    expect(t.queue.get(article.id)?.status).toBe('posted');
    expect(t.fallbacks).toEqual([]);
    expect(t.detailOf(article.id)).toEqual([]);
  });

  it('posts an article without an image as text, fetching nothing', async () => {
    const t = setup();
    t.enqueue(null);
    await t.run();
    expect(t.fetched).toEqual([]);
    expect(t.channel.sendCalls[0]!.post.image).toBeUndefined();
  });

  it.each([
    ['not-an-image', 'the answer (text/html) is not a JPEG, PNG, WebP or GIF image'],
    ['too-large', '9000000 bytes, over the 5242880-byte cap'],
    ['timeout', 'no complete answer within 15 s'],
    ['forbidden-address', '169.254.169.254 is a link-local or cloud metadata address'],
    ['http-status', 'HTTP 404'],
  ] as const)('falls back to a text post when the image cannot be used (%s), notes it on the delivery and counts it', async (problem, detail) => {
    const t = setup({ ok: false, problem, detail });
    const article = t.enqueue();
    await t.run();
    expect(t.channel.sendCalls.map((c) => c.post.image)).toEqual([undefined]);
    expect(t.queue.get(article.id)?.status).toBe('posted');
    expect(t.detailOf(article.id)).toEqual([`image fallback: the image could not be used (${problem}: ${detail})`]);
    expect(t.fallbacks).toEqual([expect.objectContaining({ articleId: article.id, reason: problem })]);
    expect(await t.fallbackCount(problem)).toBe(1);
  });

  it('falls back to text at once when WhatsApp could not post the image (a failure before anything was sent)', async () => {
    const t = setup();
    t.channel.nextSends.push('refuse-media');
    const article = t.enqueue();
    await t.run();
    expect(t.channel.sendCalls.map((c) => Boolean(c.post.image))).toEqual([true, false]);
    expect(t.channel.findCalls()).toBe(1); // only the text post's confirmation: nothing to look for after a refusal
    expect(t.channel.posted.map((p) => p.image)).toEqual([undefined]);
    expect(t.detailOf(article.id)).toEqual(['image fallback: WhatsApp could not post the image (msg.avParams is not a function)']);
    expect(await t.fallbackCount('send-refused')).toBe(1);
  });

  it('never posts twice: an image send that throws but landed is found by reading back, and no text follows', async () => {
    const t = setup();
    t.channel.nextSends.push('throw-landed');
    const article = t.enqueue();
    await t.run();
    expect(t.channel.sendCalls).toHaveLength(1);
    expect(t.channel.posted).toEqual([expect.objectContaining({ articleId: article.id, image: IMAGE_URL })]);
    expect(t.queue.get(article.id)?.status).toBe('posted');
    expect(t.fallbacks).toEqual([]);
  });

  it('an image send that throws and did not land is read back first, then posted as text', async () => {
    const t = setup();
    t.channel.nextSends.push('throw');
    const article = t.enqueue();
    await t.run(5_000);
    expect(t.channel.sendCalls.map((c) => Boolean(c.post.image))).toEqual([true, false]);
    expect(t.channel.posted.map((p) => p.image)).toEqual([undefined]);
    expect(t.detailOf(article.id)).toEqual(['image fallback: the image send failed (send exploded) and the post is not on the channel']);
    expect(await t.fallbackCount('send-failed')).toBe(1);
    expect(t.queue.get(article.id)?.status).toBe('posted');
    const warnings = t.entries.filter((e) => e.level === 'warn').map((e) => [e.msg, e.obj]);
    expect(warnings).toEqual([
      ['image send failed; reading the channel back before any fallback', expect.objectContaining({ articleId: article.id, error: 'send exploded', imageUrl: IMAGE_URL })],
      [
        'posting the article as text instead of an image',
        expect.objectContaining({
          articleId: article.id,
          imageUrl: IMAGE_URL,
          reason: 'send-failed',
          detail: 'image fallback: the image send failed (send exploded) and the post is not on the channel',
        }),
      ],
    ]);
  });

  it('an image send that fails with a channel error (not a refusal) but landed is read back: no text copy follows', async () => {
    const t = setup();
    const send = t.channel.send.bind(t.channel);
    t.channel.send = async (post) => {
      await send(post);
      throw new ChannelError('the answer was lost', true);
    };
    const article = t.enqueue();
    await t.run(5_000);
    expect(t.channel.posted).toEqual([expect.objectContaining({ articleId: article.id, image: IMAGE_URL })]);
    expect(t.queue.get(article.id)?.status).toBe('posted');
    expect(t.fallbacks).toEqual([]);
  });

  it('an image post accepted but never found is posted as text (and noted)', async () => {
    const t = setup();
    t.channel.nextSends.push('lost');
    const article = t.enqueue();
    await t.run(5_000);
    expect(t.channel.sendCalls.map((c) => Boolean(c.post.image))).toEqual([true, false]);
    expect(t.detailOf(article.id)).toEqual(['image fallback: the image post was not found when reading the channel back']);
    expect(t.fallbacks).toEqual([expect.objectContaining({ articleId: article.id, reason: 'send-failed' })]);
    expect(t.queue.get(article.id)?.status).toBe('posted');
  });
});
