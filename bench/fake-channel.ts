import type { Channel, ChannelStatus, ConfirmedPost, OutgoingPost } from '../src/channel/channel.js';

/** One send as the bench channel saw it; `at` is performance.now() on entry to send(). */
export interface SentPost {
  post: OutgoingPost;
  messageId: string;
  at: number;
  postedAt: number;
}

/**
 * An always-ready in-memory channel. send() records the time first thing, so "time to send" ends
 * where the dispatcher hands the post over; findPost() looks the text up in a Map, so the fake costs
 * the same at the 1st post and the 1,000th.
 */
export function createBenchChannel(): Channel & { sent: SentPost[] } {
  const sent: SentPost[] = [];
  const byText = new Map<string, SentPost>();
  const status: ChannelStatus = { state: 'ready', since: Date.now() };
  return {
    name: 'bench',
    sent,
    async start() {},
    status: () => status,
    onStatus: () => () => {},
    info: () => ({ id: 'bench@newsletter', name: 'Bench', inviteLink: null }),
    async send(post) {
      const at = performance.now();
      const record: SentPost = { post, messageId: `bench-${sent.length + 1}`, at, postedAt: Date.now() };
      sent.push(record);
      byText.set(post.text, record);
      return record.messageId;
    },
    async findPost(post): Promise<ConfirmedPost | null> {
      const hit = byText.get(post.text);
      return hit ? { messageId: hit.messageId, postedAt: hit.postedAt } : null;
    },
    async stop() {},
  };
}
