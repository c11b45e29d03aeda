import { ChannelError, type Channel, type ChannelState, type ConfirmedPost, type EditResult, type OutgoingPost, type PostEdit } from '../../src/channel/channel.js';
import { createStatusHolder } from '../../src/channel/status-holder.js';
import type { Clock } from '../../src/clock.js';

/**
 * A channel that records posts in memory. Behaviour per send can be scripted: `nextSends` is consumed
 * one entry per send ('ok' posts and is found on read-back; 'lost' returns an id but the post never
 * appears; 'throw' throws; 'hang' never resolves; 'refuse-media' throws a ChannelError marked notSent
 * for an image post, as an unpatched whatsapp-web.js does; 'throw-landed' posts, then throws, like a
 * send whose answer was lost). Edits: `nextEdits` per edit ('ok' edits the post in place;
 * 'not-editable'; 'throw').
 */
/** A post sent without a channel name (one-channel tests) is on every channel. */
const sameChannel = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;

export function createFakeChannel(clock: Clock, options: { state?: ChannelState } = {}) {
  const status = createStatusHolder(clock, { state: options.state ?? 'ready' });
  const posted: { articleId: number; text: string; messageId: string; at: number; image?: string }[] = [];
  const sendCalls: { post: OutgoingPost; at: number }[] = [];
  const nextSends: ('ok' | 'lost' | 'throw' | 'hang' | 'refuse-media' | 'throw-landed')[] = [];
  const editCalls: { edit: PostEdit; at: number }[] = [];
  const nextEdits: ('ok' | 'not-editable' | 'throw')[] = [];
  let seq = 0;
  let findCalls = 0;
  /** The channel (short name) each message went to, by message id: a read-back looks on the post's channel only. */
  const channelOf = new Map<string, string | undefined>();

  const channel: Channel & {
    posted: typeof posted;
    sendCalls: typeof sendCalls;
    nextSends: typeof nextSends;
    findCalls: () => number;
    editCalls: typeof editCalls;
    nextEdits: typeof nextEdits;
    /** The channel short name a message was posted to. */
    channelOf(messageId: string): string | undefined;
    setState(state: ChannelState): void;
    onSend?: (post: OutgoingPost) => void;
  } = {
    name: 'fake',
    posted,
    sendCalls,
    nextSends,
    findCalls: () => findCalls,
    editCalls,
    nextEdits,
    channelOf: (messageId: string) => channelOf.get(messageId),
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
      if (behaviour === 'refuse-media' && post.image) throw new ChannelError('msg.avParams is not a function', true, { notSent: true });
      seq += 1;
      const messageId = `fake-${seq}`;
      if (behaviour === 'ok' || behaviour === 'throw-landed' || behaviour === 'refuse-media') {
        channelOf.set(messageId, post.channel);
        posted.push({ articleId: post.articleId, text: post.text, messageId, at: clock.now(), ...(post.image ? { image: post.image.url } : {}) });
      }
      if (behaviour === 'throw-landed') throw new Error('protocol timeout (the post landed anyway)');
      return messageId;
    },
    async findPost(post): Promise<ConfirmedPost | null> {
      findCalls += 1;
      const hit = posted.find((p) => p.text === post.text && sameChannel(channelOf.get(p.messageId), post.channel));
      return hit ? { messageId: hit.messageId, postedAt: hit.at, ...(hit.image === undefined ? {} : { hasMedia: true }) } : null;
    },
    async editPost(edit): Promise<EditResult> {
      editCalls.push({ edit, at: clock.now() });
      const behaviour = nextEdits.shift() ?? 'ok';
      if (behaviour === 'throw') throw new ChannelError('edit exploded', true);
      const target = posted.find((p) => p.messageId === edit.messageId);
      if (behaviour === 'not-editable' || !target) return { kind: 'not-editable', reason: target ? 'older than the edit window' : 'the message was not found on the channel' };
      target.text = edit.text;
      return { kind: 'edited', messageId: edit.messageId };
    },
    async stop() {
      status.set({ state: 'stopped' });
    },
  };
  return channel;
}
