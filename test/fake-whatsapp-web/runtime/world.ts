import type { EditFaultRule, FakeChannel, FakeOptions, FetchFaultRule, SendFaultRule, SendHoldRule, SentDirect } from '../control.js';
import type { SessionRecord } from './storage.js';

declare global {
  interface Window {
    /** Written by the builder into the page, before the bundle. */
    __FAKE_WHATSAPP_OPTIONS__: FakeOptions;
  }
}

/** A post held by a `pending` fault, waiting for the server's answer. */
export interface HeldPost {
  body: string;
  answer: (verdict: 'accept' | 'refuse') => void;
}

/** A send held by `holdSends`, waiting for `releaseSends()`. */
export interface HeldSend {
  body: string;
  stage: SendHoldRule['stage'];
  release: () => void;
}

/**
 * What this page load knows, shared by the module stand-ins: the options it was built with, the
 * logged-in account (loaded from IndexedDB), the fault switches, and what the bot sent to people.
 * Fresh on every load: switches do not survive a reload, the IndexedDB state does.
 */
export const world = {
  options: window.__FAKE_WHATSAPP_OPTIONS__,
  session: null as SessionRecord | null,
  sendFaults: [] as SendFaultRule[],
  fetchFaults: [] as FetchFaultRule[],
  channelMissing: false,
  held: [] as HeldPost[],
  editFaults: [] as EditFaultRule[],
  sendHolds: [] as SendHoldRule[],
  heldSends: [] as HeldSend[],
  sentDirect: [] as SentDirect[],
  pairingCode: null as string | null,
  pairingPhone: null as string | null,
  /** Media this page uploaded (WAWebMediaMmsV4Upload), by handle: what the server accepts in a media post. */
  uploads: new Map<string, { mimetype: string; size: number }>(),
  /** The next server id for an accepted post, per channel (WhatsApp's are small integers increasing in each channel). */
  nextServerId: new Map<string, number>(),
};

/** Every channel the account knows: `channel`, then `channels`. */
export function knownChannels(): FakeChannel[] {
  return [world.options.channel, ...(world.options.channels ?? [])];
}

/** The channel with this `…@newsletter` id, if the account knows it. */
export function channelById(id: string): FakeChannel | undefined {
  return knownChannels().find((c) => c.id === id);
}

/** The channel an invite code names, if the account knows it. */
export function channelByInviteCode(code: string): FakeChannel | undefined {
  return knownChannels().find((c) => c.inviteCode === code);
}

/** Takes the next server id of a channel's posts. */
export function takeServerId(channelId: string): number {
  const next = world.nextServerId.get(channelId) ?? 100;
  world.nextServerId.set(channelId, next + 1);
  return next;
}

/** Takes one use of the first send fault matching `body`, if any. */
export function takeSendFault(body: string): SendFaultRule['kind'] | null {
  const rule = world.sendFaults.find((r) => r.times > 0 && body.includes(r.match));
  if (!rule) return null;
  rule.times -= 1;
  return rule.kind;
}

/** Takes one use of the first edit fault matching the post's current text, if any. */
export function takeEditFault(body: string, kinds: readonly EditFaultRule['kind'][]): EditFaultRule['kind'] | null {
  const rule = world.editFaults.find((r) => r.times > 0 && kinds.includes(r.kind) && body.includes(r.match));
  if (!rule) return null;
  rule.times -= 1;
  return rule.kind;
}

/** Takes one use of the first send hold matching `body` sent to `channel`, if any. */
export function takeSendHold(body: string, channel: string): SendHoldRule['stage'] | null {
  const rule = world.sendHolds.find((r) => r.times > 0 && body.includes(r.match) && (r.channel === undefined || r.channel === channel));
  if (!rule) return null;
  rule.times -= 1;
  return rule.stage;
}

/** Waits at a hold until the harness releases it (never, if the page goes away first). */
export function holdSend(body: string, stage: SendHoldRule['stage']): Promise<void> {
  return new Promise((resolve) => world.heldSends.push({ body, stage, release: resolve }));
}

export function takeFetchFault(): FetchFaultRule['kind'] | null {
  const rule = world.fetchFaults.find((r) => r.times > 0);
  if (!rule) return null;
  rule.times -= 1;
  return rule.kind;
}

/** Never settles: a page call that hangs. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
