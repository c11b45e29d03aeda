import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRealKillLoop } from '../test/helpers/real-whatsapp-kills.js';
import { API_TOKEN, cleanUp, connectFake, msg, prepareRealWhatsApp, spawnRealBot, startAndScan } from '../test/helpers/real-whatsapp.js';
import { median, say, type Figures, type Target } from './support.js';

const POSTS = 1_000;
const RESTARTS = 3;
const KILLS = 20;
const KILL_ARTICLES = 30;

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

/** Resident memory (MB) of a process and all its descendants (Chromium's renderer, GPU and utility processes). */
function treeRssMb(root: number): number {
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
  let kb = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      continue;
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return kb / 1024;
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
      fake = connectFake(setup.port);

      const url = await bot.httpUrl();
      for (let i = 1; i <= POSTS; i += 1) {
        const res = await fetch(`${url}/api/articles`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ headline: `Bench story ${i}`, summary: `Summary ${i}`, url: `https://example.com/bench/${i}`, priority: 'breaking' }),
        });
        if (res.status !== 201) throw new Error(`queueing story ${i}: HTTP ${res.status} ${await res.text()}`);
      }
      // Memory once the first posts are out (page and caches warm), then after all of them.
      await bot.waitForLine((l) => POSTED.test(String(l.json?.msg)) && l.json?.articleId === 20, '20 posts', 120_000);
      const startedAt = Date.now();
      const postedBefore = postedIds(bot.lines);
      // Chromium is the bot's child: the bot's process tree is Node + every Chromium process.
      const rss = () => treeRssMb(bot.child.pid!);
      const rssStart = rss();
      await bot.waitForLine((l) => POSTED.test(String(l.json?.msg)) && l.json?.articleId === POSTS, `${POSTS} posts`, 30 * 60_000);
      const minutes = (Date.now() - startedAt) / 60_000;
      const posted = postedIds(bot.lines) - postedBefore;
      const rssEnd = rss();
      figures.realPostsPerMin = posted / minutes;
      figures.realRssGrowthMbPer1000Posts = ((rssEnd - rssStart) * 1_000) / posted;
      say('posts confirmed', `${posted} in ${(minutes * 60).toFixed(1)} s`);
      say('Node + Chromium RSS', `${rssStart.toFixed(1)} MB → ${rssEnd.toFixed(1)} MB`);
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
    say('kills (while a post was in flight)', `${report.kills} (${report.killsWhilePosting})`);
    say('QR after restart / browsers left', `${report.qrAfterRestart} / ${report.browsersLeft}`);
    say('restart to ready', `median ${median(report.readyMs)} ms`);
    if (report.lost.length + report.duplicated.length > 0) say('PROBLEM', JSON.stringify({ lost: report.lost, duplicated: report.duplicated }));
  }
  return figures;
}
