import type { Channel, ChannelState, ConfirmedPost, OutgoingPost } from '../../src/channel/channel.js';
import { createStatusHolder } from '../../src/channel/status-holder.js';
import type { Clock } from '../../src/clock.js';

/**
 * A channel that records posts in memory. Behaviour per send can be scripted: `nextSends` is consumed
 * one entry per send ('ok' posts and is found on read-back; 'lost' returns an id but the post never
 * appears; 'throw' throws; 'hang' never resolves).
 */
export function createFakeChannel(clock: Clock, options: { state?: ChannelState } = {}) {
  const status = createStatusHolder(clock, { state: options.state ?? 'ready' });
  const posted: { articleId: number; text: string; messageId: string; at: number }[] = [];
  const sendCalls: { post: OutgoingPost; at: number }[] = [];
  const nextSends: ('ok' | 'lost' | 'throw' | 'hang')[] = [];
  let seq = 0;
  let findCalls = 0;

  const channel: Channel & {
    posted: typeof posted;
    sendCalls: typeof sendCalls;
    nextSends: typeof nextSends;
    findCalls: () => number;
    setState(state: ChannelState): void;
    onSend?: (post: OutgoingPost) => void;
  } = {
    name: 'fake',
    posted,
    sendCalls,
    nextSends,
    findCalls: () => findCalls,
    setState: (state) => status.set({ state }),
    async start() {},
    status: status.get,
    onStatus: status.subscribe,
    info: () => ({ id: '123@newsletter', name: 'Fake News', inviteLink: 'https://whatsapp.com/channel/0029FakeFakeFake' }),
    async send(post) {
      sendCalls.push({ post, at: clock.now() });
      channel.onSend?.(post);
      const behaviour = nextSends.shift() ?? 'ok';
      if (behaviour === 'throw') throw new Error('send exploded');
      if (behaviour === 'hang') return new Promise<string>(() => {});
      seq += 1;
      const messageId = `fake-${seq}`;
      if (behaviour === 'ok') posted.push({ articleId: post.articleId, text: post.text, messageId, at: clock.now() });
      return messageId;
    },
    async findPost(post): Promise<ConfirmedPost | null> {
      findCalls += 1;
      const hit = posted.find((p) => p.text === post.text);
      return hit ? { messageId: hit.messageId, postedAt: hit.at } : null;
    },
    async stop() {
      status.set({ state: 'stopped' });
    },
  };
  return channel;
}
