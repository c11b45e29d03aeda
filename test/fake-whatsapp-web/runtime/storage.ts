/**
 * The page's IndexedDB, as WhatsApp Web keeps its own: the session (who is logged in), the channel
 * messages this page wrote locally, and - standing in for WhatsApp's servers - the posts the server
 * accepted. Every write is awaited with `durability: 'strict'`: once it resolves it survives a SIGKILL
 * of the browser (localStorage writes were seen lost), so a restarted bot with the same profile finds
 * its session and its earlier posts. The profile folder is the bot's `data/session/session`.
 */

const DB_NAME = 'fake-whatsapp-web';
const STORES = ['session', 'msgs', 'server'] as const;
type StoreName = (typeof STORES)[number];

/** Who is logged in. */
export interface SessionRecord {
  key: 'me';
  phone: string;
  lid: string;
  pushname: string;
}

/** A channel message as this page stored it (WAWebNewsletterUpdateMsgsRecordsJob). */
export interface LocalMsgRecord {
  id: string;
  /** The text: the message, or a media post's caption. */
  body: string;
  type: string;
  t: number;
  ack: number;
  serverId?: number;
  /** A media post: where its upload lives, and its MIME type. */
  directPath?: string;
  mimetype?: string;
}

/** A post the (fake) server accepted: what is really on the channel. */
export interface ServerPostRecord {
  id: string;
  /** The channel it is on (`…@newsletter`). */
  channel: string;
  /** Per channel. */
  serverId: number;
  /** The text followers see: the message, or a media post's caption. */
  body: string;
  t: number;
  type?: string;
  mimetype?: string;
  mediaHandle?: string;
  directPath?: string;
  editedAt?: number;
  edits?: number;
}

let opened: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      for (const name of STORES) request.result.createObjectStore(name, { keyPath: name === 'session' ? 'key' : 'id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
  });
  return opened;
}

async function run<T>(store: StoreName, mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode, { durability: 'strict' });
    const request = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error ?? new Error(`IndexedDB ${store} failed`));
    tx.onabort = () => reject(tx.error ?? new Error(`IndexedDB ${store} aborted`));
  });
}

export const storage = {
  getSession: () => run<SessionRecord | undefined>('session', 'readonly', (s) => s.get('me') as IDBRequest<SessionRecord | undefined>),
  putSession: (record: SessionRecord) => run('session', 'readwrite', (s) => void s.put(record)),
  putLocalMsg: (record: LocalMsgRecord) => run('msgs', 'readwrite', (s) => void s.put(record)),
  localMsgs: async () => (await run<LocalMsgRecord[]>('msgs', 'readonly', (s) => s.getAll() as IDBRequest<LocalMsgRecord[]>)) ?? [],
  putServerPost: (record: ServerPostRecord) => run('server', 'readwrite', (s) => void s.put(record)),
  getServerPost: (id: string) => run<ServerPostRecord | undefined>('server', 'readonly', (s) => s.get(id) as IDBRequest<ServerPostRecord | undefined>),
  serverPosts: async () => (await run<ServerPostRecord[]>('server', 'readonly', (s) => s.getAll() as IDBRequest<ServerPostRecord[]>)) ?? [],
  /** What WhatsApp Web does at logout: everything local goes (the server keeps the channel's posts). */
  clearLocal: async () => {
    await run('session', 'readwrite', (s) => void s.clear());
    await run('msgs', 'readwrite', (s) => void s.clear());
  },
};
