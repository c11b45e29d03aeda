import type { FakeOptions, FetchFaultRule, SendFaultRule, SentDirect } from '../control.js';
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
  sentDirect: [] as SentDirect[],
  pairingCode: null as string | null,
  /** The next server id for an accepted channel post (WhatsApp's are small increasing integers). */
  nextServerId: 100,
};

/** Takes one use of the first send fault matching `body`, if any. */
export function takeSendFault(body: string): SendFaultRule['kind'] | null {
  const rule = world.sendFaults.find((r) => r.times > 0 && body.includes(r.match));
  if (!rule) return null;
  rule.times -= 1;
  return rule.kind;
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
