import path from 'node:path';
import type { SendHoldRule } from '../fake-whatsapp-web/control.js';
import { API_TOKEN, browsersUsing, connectFake, msg, spawnRealBot, type FakePage, type RealBot, type RealSetup, type ShownArticle } from './real-whatsapp.js';

/** What a run of kills left on the channel. */
export interface KillReport {
  kills: number;
  /** Kills that landed while a post was between "handed to WhatsApp" and its confirmation, or before its send returned. */
  killsWhilePosting: number;
  /**
   * Kills that landed inside a send, made sure of: the page held the send (`holdSends`) and showed it
   * held at the moment of the kill. `beforeServer`: the post was stored in the page, not yet on the
   * channel; `afterServer`: on the channel, the server's answer not yet in the page.
   */
  killsMidSend: { beforeServer: number; afterServer: number };
  /** Kills aimed inside a send where no send was held in time (the bot's last log lines then), killed anyway. */
  midSendMissed: string[];
  /** Articles not on the channel at the end. */
  lost: string[];
  /** Articles on the channel more than once. */
  duplicated: string[];
  /** Bot starts that showed a QR code although the session was saved. */
  qrAfterRestart: number;
  /** Times a browser outlived its SIGKILLed bot (it must die with the pipe). */
  browsersLeft: number;
  /** Milliseconds from each restart's spawn to `WhatsApp ready`. */
  readyMs: number[];
}

/** Deterministic random numbers from a seed (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * The bot already logged in on `setup` (its session saved) is SIGKILLed - the Node process alone -
 * `kills` times at random moments while it posts `articles` breaking articles, and started again after
 * each kill. Then it runs until every article is settled, and the channel is counted.
 */
export async function runRealKillLoop(options: {
  setup: RealSetup;
  articles: number;
  kills: number;
  seed: number;
  /** Share of the kills aimed inside a send with a page hold (default 0.5); the rest land at random moments. */
  midSendShare?: number;
  progress?: (message: string) => void;
}): Promise<KillReport> {
  const { setup, articles, kills } = options;
  const rand = random(options.seed);
  const profile = path.join(setup.dataDir, 'session', 'session');
  const report: KillReport = { kills: 0, killsWhilePosting: 0, killsMidSend: { beforeServer: 0, afterServer: 0 }, midSendMissed: [], lost: [], duplicated: [], qrAfterRestart: 0, browsersLeft: 0, readyMs: [] };
  const headlines = Array.from({ length: articles }, (_, i) => `Kill-loop story ${String(i + 1).padStart(4, '0')}`);

  // The first kills × share of them are aimed inside a send, alternating the two stages.
  const midSendKills = Math.round(kills * (options.midSendShare ?? 0.5));
  const holdFor = (kill: number): SendHoldRule['stage'] | null => (kill < midSendKills ? (kill % 2 === 0 ? 'before-server' : 'after-server') : null);

  /**
   * Starts the bot. With `hold`, the page is told to hold the next send while the bot is still
   * starting (the page exists well before `ready`): set after `ready`, the bot would have posted
   * what was queued before the hold arrived.
   */
  const start = async (hold: SendHoldRule['stage'] | null): Promise<{ bot: RealBot; fake: FakePage }> => {
    const started = Date.now();
    const bot = spawnRealBot(setup.env());
    const fake = connectFake(setup.port);
    try {
      const armed = hold ? fake.call('holdSends', { match: 'Kill-loop story', times: 1, stage: hold }) : Promise.resolve();
      await bot.waitForLine(msg(/^WhatsApp ready: posting to/), 'WhatsApp ready', 60_000);
      await armed;
    } catch (err) {
      await fake.close();
      await bot.kill('SIGKILL'); // never leave a bot that did not come up running
      throw err;
    }
    report.readyMs.push(Date.now() - started);
    if (bot.count(msg(/^WhatsApp needs a login/)) > 0) report.qrAfterRestart += 1;
    return { bot, fake };
  };

  let { bot, fake } = await start(holdFor(0));
  try {
    return await killAndCount();
  } finally {
    // Whatever happened, no bot or browser outlives the run.
    await fake.close();
    await bot.kill('SIGKILL');
    await waitUntil(() => browsersUsing(profile).length === 0, 10_000);
  }

  async function killAndCount(): Promise<KillReport> {
    const url = await bot.httpUrl();
    for (const [i, headline] of headlines.entries()) {
      const res = await fetch(`${url}/api/articles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ headline, summary: `Summary ${i + 1}`, url: `https://example.com/kill-loop/${i + 1}`, priority: 'breaking' }),
      });
      if (res.status !== 201) throw new Error(`queueing ${headline}: HTTP ${res.status} ${await res.text()}`);
    }

    while (report.kills < kills) {
      const from = bot.lines.length;
      // Inside a send: the page holds the next post before or after the server takes it (armed at
      // start), and the kill lands while it is held (random moments rarely hit the few ms a send takes).
      const stage = holdFor(report.kills);
      if (stage) {
        const deadline = Date.now() + 20_000;
        // On a loaded machine the bot can post before the page took the hold set at start, or the page
        // can load again after taking it (the hold lives in the page): while nothing is held, the hold is
        // set again every 2 s, for the next queued article. A hold left over dies with the page at the kill.
        let rearmAt = Date.now() + 2_000;
        let held = await fake.call('heldSends');
        while (held.length === 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          held = await fake.call('heldSends');
          if (held.length === 0 && Date.now() >= rearmAt) {
            rearmAt = Date.now() + 2_000;
            await fake.call('holdSends', { match: 'Kill-loop story', times: 1, stage });
          }
        }
        if (held.length > 0) {
          if (held[0]!.stage === 'before-server') report.killsMidSend.beforeServer += 1;
          else report.killsMidSend.afterServer += 1;
        } else {
          report.midSendMissed.push(`${stage}: ${bot.lines.slice(-4).map((l) => String(l.json?.msg ?? l.raw)).join(' / ')}`);
        }
      } else if (rand() < 0.6) {
        // Soon after a post was handed over (mid-confirmation).
        await waitUntil(() => bot.count(msg('post handed to WhatsApp'), from) > 0, 5_000);
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 60)));
      } else {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 1_500)));
      }
      const handed = bot.count(msg('post handed to WhatsApp'), from);
      const confirmed = bot.count(msg('posted'), from);
      if (handed > confirmed) report.killsWhilePosting += 1;
      await fake.close();
      await bot.kill('SIGKILL');
      report.kills += 1;
      if (!(await waitUntil(() => browsersUsing(profile).length === 0, 10_000))) report.browsersLeft += 1;
      options.progress?.(`kill ${report.kills}/${kills}`);
      ({ bot, fake } = await start(holdFor(report.kills)));
    }

    // Let it finish: every article settled (posted or failed), as the database says.
    // Asked over the running bot's API: 30 CLI processes at once take seconds each on 2 cores.
    const settled = async () => {
      const url = await bot.httpUrl();
      for (let id = 1; id <= headlines.length; id += 1) {
        const res = await fetch(`${url}/api/articles/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
        const shown = (await res.json()) as Partial<ShownArticle>;
        if (shown.article?.status !== 'posted' && shown.article?.status !== 'failed') return false;
      }
      return true;
    };
    const deadline = Date.now() + 120_000;
    while (!(await settled())) {
      if (Date.now() > deadline) throw new Error('the articles did not all settle within 2 minutes after the last kill');
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const posts = await fake.call('serverPosts');
    for (const headline of headlines) {
      const n = posts.filter((p) => p.body.includes(`*🔴 BREAKING: ${headline}*`)).length;
      if (n === 0) report.lost.push(headline);
      if (n > 1) report.duplicated.push(headline);
    }
    return report;
  }
}
