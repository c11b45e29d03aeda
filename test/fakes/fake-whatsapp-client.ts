import { EventEmitter } from 'node:events';
import type { Channel as WaChannel, Chat, Client, ClientInfo, ClientOptions, ContactId, Message, MessageContent, MessageSendOptions } from 'whatsapp-web.js';
import type { ClientLike } from '../../src/channel/whatsapp.js';

/**
 * A fake of the slice of whatsapp-web.js's Client the adapter uses (`ClientLike`, a Pick of the
 * library's own type), plus a tiny "WhatsApp server" shared by every client a test builds, so a post
 * made through one client can be read back through the next.
 */

export interface FakeMessage {
  id: string;
  body: string;
  /** Unix seconds, as WhatsApp gives it. */
  timestamp: number;
  fromMe: boolean;
  /**
   * Set by the server on success; null for a post the server refused (it stays in the page). The page
   * returns messages by value, so a refused one reaches Node without the key at all (see toMessage).
   */
  serverId?: number | null;
  /** 0 while the page waits for the server's answer, 1 once it has it (success or not). Default 1. */
  ack?: number;
}

export interface FakeChannelRecord {
  id: string;
  name: string;
  inviteCode?: string;
  /** `channelMetadata.membershipType` as the page would report it. */
  role?: string;
  messages: FakeMessage[];
}

/** What one call of initialize() does. `hang` never settles. */
export type InitializeBehaviour = 'resolve' | 'hang' | { reject: unknown };
/** What one call of sendMessage() does: post ('ok'), return null/undefined, or throw the value. */
/**
 * What one channel send does. `pending`: the page keeps the post (ack 0, no server id) and the send
 * never settles until `settlePending` gives the server's answer, as when WhatsApp's server is slow.
 */
export type SendBehaviour = 'ok' | 'null' | 'undefined' | 'refused' | 'pending' | { throw: unknown };

export function createFakeWhatsApp(options: { now?: () => number } = {}) {
  const now = options.now ?? (() => Date.now());
  const channels = new Map<string, FakeChannelRecord>();
  /** Other chats by id, e.g. a group or a person: found, but not channels. */
  const otherChats = new Map<string, { id: string; name: string }>();
  const clients: FakeWhatsAppClient[] = [];
  /** Consumed one per client, in order; default 'resolve'. */
  const initializeScript: InitializeBehaviour[] = [];
  /** Consumed one per send, across clients; default 'ok'. */
  const sendScript: SendBehaviour[] = [];
  /** Answers owed to `pending` sends, oldest first. */
  const pendingSends: ((accepted: boolean) => void)[] = [];
  let seq = 0;
  /** When set, each new client gets this as its pupBrowser (the adapter watches its process). */
  let browserFactory: (() => FakeBrowser) | null = null;

  const world = {
    channels,
    otherChats,
    clients,
    initializeScript,
    sendScript,
    pendingSends,
    /** The server answers the oldest pending send. */
    settlePending(accepted: boolean): void {
      const answer = pendingSends.shift();
      if (!answer) throw new Error('no send is pending');
      answer(accepted);
    },
    now,
    nextMessageId: () => `true_${(seq += 1)}@newsletter_FAKE${seq}`,
    addChannel(record: Omit<FakeChannelRecord, 'messages'> & { messages?: FakeMessage[] }): FakeChannelRecord {
      const full = { ...record, messages: record.messages ?? [] };
      channels.set(record.id, full);
      return full;
    },
    withBrowsers(factory: () => FakeBrowser): void {
      browserFactory = factory;
    },
    /** The factory the adapter gets as `createClient`. */
    createClient: (clientOptions: ClientOptions): ClientLike => {
      const client = new FakeWhatsAppClient(world, clientOptions);
      if (browserFactory) client.fakeBrowser = browserFactory();
      clients.push(client);
      return client;
    },
    latest(): FakeWhatsAppClient {
      const last = clients.at(-1);
      if (!last) throw new Error('no client was created yet');
      return last;
    },
  };
  return world;
}

export type FakeWhatsApp = ReturnType<typeof createFakeWhatsApp>;

export class FakeWhatsAppClient implements ClientLike {
  private readonly events = new EventEmitter();
  info = { wid: { _serialized: '60123456789@c.us', server: 'c.us', user: '60123456789' }, pushname: 'Newsdesk' } as unknown as ClientInfo;
  fakeBrowser: FakeBrowser | null = null;
  initializeCalls = 0;
  destroyCalls = 0;
  destroyed = false;
  /** Set to make destroy() never settle. */
  destroyHangs = false;
  readonly sendCalls: { chatId: string; content: MessageContent; options: MessageSendOptions | undefined }[] = [];
  /** Messages sent to people (replies, receipts), not to a channel. */
  readonly directSends: { chatId: string; text: string }[] = [];

  constructor(
    private readonly world: FakeWhatsApp,
    readonly options: ClientOptions,
  ) {}

  get pupBrowser(): ClientLike['pupBrowser'] {
    return (this.fakeBrowser ?? undefined) as unknown as ClientLike['pupBrowser'];
  }

  // Client's on/removeAllListeners return the Client itself (`this` in its typings).
  on(event: string, listener: (...args: never[]) => void): Client {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this as unknown as Client;
  }

  removeAllListeners(event?: string): Client {
    // EventEmitter tells "all" from "this event" by the argument count, not by undefined.
    if (event === undefined) this.events.removeAllListeners();
    else this.events.removeAllListeners(event);
    return this as unknown as Client;
  }

  listenerCount(event: string): number {
    return this.events.listenerCount(event);
  }

  emit(event: string, ...args: unknown[]): boolean {
    return this.events.emit(event, ...args);
  }

  async initialize(): Promise<void> {
    this.initializeCalls += 1;
    const behaviour = this.world.initializeScript.shift() ?? 'resolve';
    if (behaviour === 'hang') return new Promise<void>(() => {});
    if (behaviour !== 'resolve') throw behaviour.reject;
  }

  async destroy(): Promise<void> {
    this.destroyCalls += 1;
    if (this.destroyHangs) return new Promise<void>(() => {});
    this.destroyed = true;
    this.fakeBrowser?.close();
  }

  /** Set to make getChatById never settle (a page stuck loading the chat). */
  lookupsHang = false;

  async getChatById(chatId: string): Promise<Chat> {
    if (this.lookupsHang) return new Promise<Chat>(() => undefined);
    const record = this.world.channels.get(chatId);
    if (record) return this.channelModel(record) as unknown as Chat;
    const other = this.world.otherChats.get(chatId);
    // The library returns undefined for an unknown chat, though it is typed Chat.
    return (other ? { id: { _serialized: other.id }, name: other.name, isGroup: true } : undefined) as unknown as Chat;
  }

  async getChannelByInviteCode(inviteCode: string): Promise<WaChannel> {
    const record = [...this.world.channels.values()].find((c) => c.inviteCode === inviteCode);
    return (record ? this.channelModel(record) : undefined) as unknown as WaChannel;
  }

  async sendMessage(chatId: string, content: MessageContent, options?: MessageSendOptions): Promise<Message> {
    this.sendCalls.push({ chatId, content, options });
    const behaviour = this.world.sendScript.shift() ?? 'ok';
    if (behaviour === 'null') return null as unknown as Message;
    if (behaviour === 'undefined') return undefined as unknown as Message;
    if (behaviour !== 'ok' && behaviour !== 'refused' && behaviour !== 'pending') throw behaviour.throw;
    const record = this.world.channels.get(chatId);
    if (!record && chatId.endsWith('@newsletter')) return undefined as unknown as Message;
    if (!record) {
      this.directSends.push({ chatId, text: String(content) });
      return toMessage({ id: this.world.nextMessageId(), body: String(content), timestamp: Math.floor(this.world.now() / 1000), fromMe: true });
    }
    const id = this.world.nextMessageId();
    const serverId = behaviour === 'ok' ? this.world.channels.size * 1000 + record.messages.length + 1 : null;
    const message: FakeMessage = { id, body: String(content), timestamp: Math.floor(this.world.now() / 1000), fromMe: true, serverId };
    record.messages.push(message);
    if (behaviour === 'pending') {
      message.ack = 0;
      return new Promise<Message>((resolve) => {
        this.world.pendingSends.push((accepted) => {
          message.ack = 1;
          message.serverId = accepted ? this.world.channels.size * 1000 + record.messages.indexOf(message) + 1 : null;
          resolve(toMessage(message));
        });
      });
    }
    return toMessage(message);
  }

  /** `@lid` ids this fake account can resolve to phone numbers (`<digits>@c.us`). */
  readonly lidToPhone = new Map<string, string>();

  async getContactLidAndPhone(userIds: string[]): Promise<{ lid: string; pn: string }[]> {
    return userIds.map((id) => ({ lid: id, pn: this.lidToPhone.get(id) ?? (id.endsWith('@c.us') ? id : '') }));
  }

  async getNumberId(number: string): Promise<ContactId | null> {
    const digits = number.replace(/\D/g, '');
    return digits ? ({ server: 'c.us', user: digits, _serialized: `${digits}@c.us` } as ContactId) : null;
  }

  /** A message arriving from someone, as the library's `message` event delivers it. */
  emitMessage(m: { from: string; body: string; author?: string; fromMe?: boolean; isStatus?: boolean; type?: string }): void {
    this.emit('message', {
      from: m.from,
      author: m.author,
      body: m.body,
      fromMe: m.fromMe ?? false,
      isStatus: m.isStatus ?? false,
      type: m.type ?? 'chat',
      timestamp: Math.floor(this.world.now() / 1000),
    } as unknown as Message);
  }

  // Drivers: what WhatsApp Web would emit.
  emitQr(qr = 'qr-ref,static-key,identity-key,adv-secret,platform'): void {
    this.emit('qr', qr);
  }
  emitCode(code = 'ABCDEFGH'): void {
    this.emit('code', code);
  }
  emitAuthenticated(): void {
    this.emit('authenticated');
  }
  emitReady(): void {
    this.emit('ready');
  }
  emitDisconnected(reason: string): void {
    this.emit('disconnected', reason);
  }

  private channelModel(record: FakeChannelRecord) {
    const world = this.world;
    return {
      id: { _serialized: record.id, server: 'newsletter', user: record.id.split('@')[0] },
      name: record.name,
      isChannel: true,
      isGroup: false,
      channelMetadata: { inviteCode: record.inviteCode, membershipType: record.role ?? 'owner' },
      // Like the library: only own messages with fromMe, the newest `limit`, earliest first.
      async fetchMessages(search: { limit?: number; fromMe?: boolean }): Promise<Message[]> {
        const current = world.channels.get(record.id)?.messages ?? [];
        const matching = current.filter((m) => search.fromMe === undefined || m.fromMe === search.fromMe);
        const limited = search.limit && search.limit > 0 ? matching.slice(-search.limit) : matching;
        return limited.map(toMessage);
      },
    };
  }
}

function toMessage(m: FakeMessage): Message {
  return {
    id: { _serialized: m.id, fromMe: m.fromMe, id: m.id, remote: '' },
    body: m.body,
    timestamp: m.timestamp,
    fromMe: m.fromMe,
    ack: m.ack ?? 1,
    // By value through puppeteer: an unset (undefined) serverId is dropped, not sent as null.
    _data: m.serverId === null ? {} : { serverId: m.serverId ?? 1 },
  } as unknown as Message;
}

/** The part of a puppeteer Browser the adapter touches: its process and whether it is connected. */
export interface FakeBrowser {
  connected: boolean;
  process(): FakeBrowserProcess;
  close(): void;
}

/** A stand-in for Chromium's ChildProcess: records kill() and emits `exit`. */
export class FakeBrowserProcess extends EventEmitter {
  readonly pid = 424242;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly kills: string[] = [];

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.kills.push(signal);
    this.exit(null, signal);
    return true;
  }

  /** The process ends (crash, OOM kill, or a normal close). */
  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

export function createFakeBrowser(): FakeBrowser {
  const proc = new FakeBrowserProcess();
  // As with puppeteer: when the process ends, the connection is gone too.
  proc.once('exit', () => (browser.connected = false));
  const browser: FakeBrowser = {
    connected: true,
    process: () => proc,
    close() {
      browser.connected = false;
      proc.exit(0, null);
    },
  };
  return browser;
}
