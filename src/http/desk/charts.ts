import { DateTime } from 'luxon';
import { escapeHtml } from '../login-page.js';

/** One hour of the 24-hour charts. */
export interface HourBucket {
  start: number;
  posts: number;
  avgMs: number | null;
  maxMs: number | null;
}

const WIDTH = 480;
const HEIGHT = 120;
const LEFT = 34;
const BOTTOM = 18;
const TOP = 8;

/**
 * A bar chart as inline SVG, drawn on the server: no script, no style attribute (the CSP forbids
 * both), classes for colour, a <title> per bar for pointer users and a table twin for screen readers
 * (the caller renders the same numbers as text).
 */
function barChart(options: { id: string; label: string; values: (number | null)[]; hours: number[]; zone: string; unit: (v: number) => string }): string {
  const { values, hours, zone } = options;
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const plotW = WIDTH - LEFT - 4;
  const plotH = HEIGHT - TOP - BOTTOM;
  const step = plotW / Math.max(1, values.length);
  const bars = values
    .map((v, i) => {
      const at = DateTime.fromMillis(hours[i]!, { zone }).toFormat('HH:mm');
      const h = v === null ? 0 : Math.max(v > 0 ? 1 : 0, Math.round((v / max) * plotH));
      const x = LEFT + i * step + 1;
      const title = `${at}: ${v === null ? 'no posts' : options.unit(v)}`;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${TOP + plotH - h}" width="${Math.max(1, step - 2).toFixed(1)}" height="${h}"><title>${escapeHtml(title)}</title></rect>`;
    })
    .join('');
  const ticks = [0, 6, 12, 18, values.length - 1]
    .filter((i) => i < values.length)
    .map((i) => {
      const label = DateTime.fromMillis(hours[i]!, { zone }).toFormat('HH:mm');
      return `<text class="tick" x="${(LEFT + i * step + step / 2).toFixed(1)}" y="${HEIGHT - 4}" text-anchor="middle">${label}</text>`;
    })
    .join('');
  return [
    `<svg class="chart" id="${options.id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${options.id}-title" preserveAspectRatio="none">`,
    `<title id="${options.id}-title">${escapeHtml(options.label)}</title>`,
    `<line class="axis" x1="${LEFT}" y1="${TOP + plotH}" x2="${WIDTH - 2}" y2="${TOP + plotH}"/>`,
    `<text class="tick" x="${LEFT - 4}" y="${TOP + 8}" text-anchor="end">${escapeHtml(options.unit(max))}</text>`,
    `<text class="tick" x="${LEFT - 4}" y="${TOP + plotH}" text-anchor="end">0</text>`,
    bars,
    ticks,
    '</svg>',
  ].join('');
}

/** Milliseconds as people read a wait: `850 ms`, `12 s`, `4 min`, `2.5 h`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The Status page's two charts: posts per hour, and mean enqueue-to-post time per hour, over 24 h. */
export function statusCharts(hourly: readonly HourBucket[], zone: string): { posts: string; latency: string } {
  const hours = hourly.map((h) => h.start);
  return {
    posts: barChart({ id: 'chart-posts', label: 'Posts per hour, last 24 hours', values: hourly.map((h) => h.posts), hours, zone, unit: (v) => `${v} post${v === 1 ? '' : 's'}` }),
    latency: barChart({ id: 'chart-latency', label: 'Mean time from queued to posted, per hour, last 24 hours', values: hourly.map((h) => h.avgMs), hours, zone, unit: duration }),
  };
}
