import type { WebhookDelivery } from '../../store/webhook-store.js';
import { count } from '../args.js';
import { formatTime } from '../when.js';
import { ok, type CommandSpec } from '../types.js';

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** A webhook URL as shown to editors: host and path, never a query (it may hold a token). */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url.slice(0, 60);
  }
}

/** `webhooks [n]`: the newest webhook deliveries with their outcome, what went wrong and the next try. */
export const webhooksCommand: CommandSpec<number> = {
  name: 'webhooks',
  usage: 'webhooks [n]',
  example: 'webhooks 20',
  summary: 'the newest n webhook deliveries (posted, failed) with outcome, HTTP status, error and next try',
  args: count(10),
  run(limit, ctx) {
    const hooks = ctx.webhooks;
    if (!hooks) return ok('Webhooks are not available here.', { deliveries: [] });
    const now = ctx.clock.now();
    const rows = hooks.store.recent(limit);
    const counts = hooks.store.counts();
    const line = (d: WebhookDelivery) => {
      const http = d.lastStatus === null ? '' : ` HTTP ${d.lastStatus}`;
      const tries = `${d.attempts} ${d.attempts === 1 ? 'try' : 'tries'}`;
      const outcome =
        d.status === 'delivered'
          ? `delivered${http} (${tries})`
          : d.status === 'failed'
            ? `gave up after ${tries}: ${d.lastError ?? ''}`
            : d.attempts === 0
              ? 'sending'
              : `retrying at ${formatTime(d.nextAttemptAt, ctx.timezone, now)} after ${tries}: ${d.lastError ?? ''}`;
      return `${formatTime(d.createdAt, ctx.timezone, now)} ${d.event} #${d.articleId ?? '-'} on ${d.channel} → ${shownUrl(d.url)}: ${outcome}`;
    };
    const head =
      hooks.urls.length === 0
        ? 'No webhooks are set (NEWSDESK_WEBHOOKS).'
        : `Webhooks: ${hooks.urls.map(shownUrl).join(', ')} · ${counts.delivered} delivered, ${counts.pending} pending, ${counts.failed} failed`;
    return ok(rows.length ? `${head}\n${rows.map(line).join('\n')}` : `${head}\nNo webhook deliveries yet.`, {
      urls: hooks.urls.map(shownUrl),
      counts,
      deliveries: rows.map(({ body: _body, url, ...d }) => ({
        ...d,
        url: shownUrl(url),
        createdAt: iso(d.createdAt),
        updatedAt: iso(d.updatedAt),
        deliveredAt: iso(d.deliveredAt),
        nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
      })),
    });
  },
};
