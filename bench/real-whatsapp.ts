import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'undici';
import { runRealKillLoop } from '../test/helpers/real-whatsapp-kills.js';
import { API_TOKEN, cleanUp, connectFake, msg, prepareRealWhatsApp, spawnRealBot, startAndScan, type RealBot } from '../test/helpers/real-whatsapp.js';
import { median, say, type Figures, type Target } from './support.js';

const POSTS = 1_000;
/** Posts before the memory baseline: the first ones load code and fill caches. */
const WARM_UP = 300;
/** Browser run time before the memory baseline (see where it is used). */
const BROWSER_SETTLE_MS = 240_000;
const RESTARTS = 3;
const KILLS = 20;
const KILL_ARTICLES = 40;

export const targets: readonly Target[] = [
  { figure: 'realReadyMs', op: '<=', limit: 5_000 },
  { figure: 'realRssGrowthMbPer1000Posts', op: '<=', limit: 20 },
  { figure: 'realCrashKills', op: '>=', limit: KILLS },
  { figure: 'realLost', op: '<=', limit: 0 },
  { figure: 'realDuplicated', op: '<=', limit: 0 },
];

/** The dispatcher's lines for a confirmed post. */
const POSTED = /^(posted|found from an earlier attempt|reconciled: found on the channel)$/;

/** How many distinct articles the bot has confirmed so far. */
function postedIds(lines: readonly { json: Record<string, unknown> | null }[]): number {
  return new Set(lines.filter((l) => POSTED.test(String(l.json?.msg)) && l.json?.part === 'dispatcher').map((l) => l.json!.articleId)).size;
}

/**
 * Resident memory (MB) of a process and all its descendants, by kind: `node` (the bot), `browser`
 * (Chromium's main process), and each child by its `--type` (`renderer`, `gpu-process`, `zygote`,
 * `utility:NetworkService`, …; Chromium rewrites its children's command lines, so it is read as text).
 */
function treeRssMb(root: number): Record<string, number> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const byKind: Record<string, number> = {};
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = /--type=(\S+)/.exec(cmdline)?.[1];
      const sub = /--utility-sub-type=(\S+)/.exec(cmdline)?.[1]?.split('.').pop();
      const kind = pid === root ? 'node' : type ? (sub ? `${type}:${sub}` : type) : 'browser';
      byKind[kind] = (byKind[kind] ?? 0) + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      continue;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return byKind;
}

const total = (byKind: Record<string, number>): number => Object.values(byKind).reduce((a, b) => a + b, 0);

/** Five readings 200 ms apart, the one with the median total: one reading can catch a GC half done. */
async function steadyRss(root: number): Promise<Record<string, number>> {
  const readings: Record<string, number>[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(treeRssMb(root));
    await new Promise((r) => setTimeout(r, 200));
  }
  return readings.sort((a, b) => total(a) - total(b))[2]!;
}

/**
 * The bot's Node inspector (started with `--inspect=127.0.0.1:0`; Node prints its address on stderr):
 * `collectGarbage()` forces a full GC and returns the heap left in use (MB).
 */
async function nodeInspector(bot: RealBot): Promise<{ collectGarbage(): Promise<number>; close(): void }> {
  const pattern = /Debugger listening on (ws:\/\/\S+)/;
  const line = await bot.waitForLine((l) => pattern.test(l.raw), "the bot's inspector address", 30_000);
  const socket = new WebSocket(pattern.exec(line.raw)![1]!);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let next = 0;
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      const onMessage = (event: { data: unknown }) => {
        const reply = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
        if (reply.id !== id) return;
        socket.removeEventListener('message', onMessage);
        resolve(reply.result ?? {});
      };
      socket.addEventListener('message', onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async collectGarbage() {
      await call('HeapProfiler.collectGarbage');
      return Number((await call('Runtime.getHeapUsage')).usedSize) / 1_048_576;
    },
    close: () => socket.close(),
  };
}

/**
 * The real whatsapp-web.js 1.34.7 in Debian's Chromium against the fake WhatsApp Web page (the
 * end-to-end tests' harness), through the built bot: launch to ready with a saved session, posts
 * confirmed per minute with no pacing and the memory they cost (Node + the whole Chromium tree), and
 * SIGKILLs of the Node process alone while posting.
 */
export async function run(): Promise<Figures> {
  const figures: Figures = {};
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-real-'));
    const setup = await prepareRealWhatsApp(dir);
    let { bot, fake } = await startAndScan(setup);
    try {
      // Launch to ready with the saved session: the bot started as users start it, timed to its ready line.
      const readies: number[] = [];
      const browserParts: number[] = [];
      for (let i = 0; i < RESTARTS; i += 1) {
        await fake.close();
        await bot.kill('SIGTERM');
        const started = Date.now();
        bot = spawnRealBot(setup.env());
        const ready = await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'ready', 60_000);
        readies.push(Date.now() - started);
        const launching = bot.lines.find(msg('starting WhatsApp'));
        browserParts.push(Number(ready.json?.time) - Number(launching?.json?.time));
      }
      figures.realReadyMs = median(readies);
      say('launch to ready (saved session)', `${readies.join(', ')} ms`);
      say('  of which Chromium + page', `${browserParts.join(', ')} ms (from the "starting WhatsApp" line)`);
      // The memory phase's bot has Node's inspector on (loopback, a free port) so both ends can force
      // a full GC in Node as in the page; a start of its own, so the ready timings above are plain.
      await bot.kill('SIGTERM');
      bot = spawnRealBot(setup.env({ NODE_OPTIONS: '--inspect=127.0.0.1:0' }));
      await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'ready', 60_000);
      fake = connectFake(setup.port);
      const inspector = await nodeInspector(bot);

      // Memory: the browser first runs BROWSER_SETTLE_MS (Chromium starts services of its own minutes
      // after launch whatever the page does: Chromium 156 starts its OnDeviceModelService, ~45 MB,
      // about 3 minutes in, also on about:blank; memory taken once, not growth per post). Then
      // WARM_UP posts (code caches, V8 heaps sized up in Node and the page, IndexedDB), then POSTS more.
      // At each end: the tree's RSS as it stands, then a full GC forced in Node (inspector) and in the
      // page (DevTools), then the RSS again. The figure is the growth of that second reading: the
      // resident memory of the bot's whole process tree (Node + every Chromium process; Chromium is the
      // bot's child) that 1,000 posts leave behind. The first reading's growth is printed too: it adds
      // whatever garbage V8 has not collected yet at that moment (a saw-tooth of tens of MB in Node).
      // Each RSS reading is the median of five, 200 ms apart.
      const url = await bot.httpUrl();
      const queue = async (from: number, to: number) => {
        for (let i = from; i <= to; i += 1) {
          const res = await fetch(`${url}/api/articles`, {
            method: 'POST',
            headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ headline: `Bench story ${i}`, summary: `Summary ${i}`, url: `https://example.com/bench/${i}`, priority: 'breaking' }),
          });
          if (res.status !== 201) throw new Error(`queueing story ${i}: HTTP ${res.status} ${await res.text()}`);
        }
        await bot.waitForLine((l) => POSTED.test(String(l.json?.msg)) && l.json?.articleId === to, `${to} posts`, 30 * 60_000);
      };
      const browserUp = Date.now() - Number(bot.lines.find(msg('starting WhatsApp'))?.json?.time ?? Date.now());
      if (browserUp < BROWSER_SETTLE_MS) await new Promise((r) => setTimeout(r, BROWSER_SETTLE_MS - browserUp));
      const page = await fake.page();
      const cdp = await page.context().newCDPSession(page);
      // Both ends: RSS as it stands, then full GCs, then RSS again with what the heaps still hold.
      const measure = async () => {
        const raw = await steadyRss(bot.child.pid!);
        await cdp.send('HeapProfiler.collectGarbage');
        const nodeHeapMb = await inspector.collectGarbage();
        const { usedSize } = await cdp.send('Runtime.getHeapUsage');
        await new Promise((r) => setTimeout(r, 1_000));
        return { raw, collected: await steadyRss(bot.child.pid!), nodeHeapMb, pageHeapMb: usedSize / 1_048_576, ...(await fake.call('loadedCounts')) };
      };
      await queue(1, WARM_UP);
      const before = await measure();
      const startedAt = Date.now();
      const postedBefore = postedIds(bot.lines);
      await queue(WARM_UP + 1, WARM_UP + POSTS);
      const minutes = (Date.now() - startedAt) / 60_000;
      const posted = postedIds(bot.lines) - postedBefore;
      const after = await measure();
      await cdp.detach();
      inspector.close();
      const perThousand = (a: number, b: number) => ((b - a) * 1_000) / posted;
      figures.realPostsPerMin = posted / minutes;
      figures.realRssGrowthMbPer1000Posts = perThousand(total(before.collected), total(after.collected));
      say('posts confirmed (after the warm-up)', `${posted} in ${(minutes * 60).toFixed(1)} s (${WARM_UP} warm-up posts, browser up ${BROWSER_SETTLE_MS / 60_000} min before)`);
      say('Node + Chromium RSS after full GCs', `${total(before.collected).toFixed(1)} MB → ${total(after.collected).toFixed(1)} MB`);
      for (const kind of new Set([...Object.keys(before.collected), ...Object.keys(after.collected)])) {
        const [a, b] = [before.collected[kind], after.collected[kind]];
        const note = a === undefined ? ' (started during the run)' : b === undefined ? ' (ended during the run)' : '';
        say(`  ${kind}`, `${(a ?? 0).toFixed(1)} → ${(b ?? 0).toFixed(1)} MB${note}`);
      }
      say(
        'Node + Chromium RSS as it stood (no GC)',
        `${total(before.raw).toFixed(1)} MB → ${total(after.raw).toFixed(1)} MB: ${perThousand(total(before.raw), total(after.raw)).toFixed(1)} MB per 1,000 (Node ${before.raw.node?.toFixed(1)} → ${after.raw.node?.toFixed(1)}, renderer ${before.raw.renderer?.toFixed(1)} → ${after.raw.renderer?.toFixed(1)})`,
      );
      say('JS heaps after GC', `Node ${before.nodeHeapMb.toFixed(2)} → ${after.nodeHeapMb.toFixed(2)} MB, page ${before.pageHeapMb.toFixed(2)} → ${after.pageHeapMb.toFixed(2)} MB`);
      say('  message models the page holds', `channel ${before.channelMsgs} → ${after.channelMsgs}, Msg ${before.msgs} → ${after.msgs}`);
      const onChannel = await fake.call('serverPosts');
      say('on the channel', `${onChannel.length} posts`);
    } finally {
      await cleanUp({ bot, fake, setup, root: dir });
    }
  }

  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-bench-real-'));
    const setup = await prepareRealWhatsApp(dir);
    const { bot, fake } = await startAndScan(setup);
    await fake.close();
    await bot.kill('SIGKILL');
    const seed = Number(process.env.NEWSDESK_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    say('seed', String(seed));
    let report;
    try {
      report = await runRealKillLoop({ setup, articles: KILL_ARTICLES, kills: KILLS, seed, progress: (m) => void (m.endsWith('0/20') && say('progress', m)) });
    } finally {
      await cleanUp({ setup, root: dir });
    }
    figures.realCrashKills = report.kills;
    figures.realLost = report.lost.length;
    figures.realDuplicated = report.duplicated.length;
    say('kills (while a post was in flight, by the log)', `${report.kills} (${report.killsWhilePosting})`);
    say(
      'kills inside a send (held by the page)',
      `${report.killsMidSend.beforeServer + report.killsMidSend.afterServer}: ${report.killsMidSend.beforeServer} before the server had the post, ${report.killsMidSend.afterServer} after`,
    );
    say('QR after restart / browsers left', `${report.qrAfterRestart} / ${report.browsersLeft}`);
    say('restart to ready', `median ${median(report.readyMs)} ms`);
    if (report.lost.length + report.duplicated.length > 0) say('PROBLEM', JSON.stringify({ lost: report.lost, duplicated: report.duplicated }));
  }
  return figures;
}
