import { build } from 'esbuild';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FakeOptions } from './control.js';

export type { FakeOptions } from './control.js';

/** The version the tests pin (any string works; this one looks like a real build). */
export const FAKE_VERSION = '2.3000.1099999999-fake';

export const DEFAULT_OPTIONS: FakeOptions = {
  version: FAKE_VERSION,
  account: { phone: '60100000001', lid: '200000000000001', pushname: 'Newsdesk Bot' },
  channel: { id: '120363000000000001@newsletter', name: 'Harian Test News', inviteCode: '0029VaFakeChannel000001', role: 'owner' },
  contacts: [
    { phone: '60123456789', lid: '111111111111111' },
    { phone: '60199999999', lid: '122222222222222' },
  ],
};

let bundled: Promise<string> | null = null;

/** page.ts and everything it imports, as one script (bundled once per process). */
function bundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [path.join(import.meta.dirname, 'page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    platform: 'browser',
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/**
 * Writes `<dir>/<version>.html`: the page whatsapp-web.js's local web cache serves for
 * https://web.whatsapp.com/. Everything is inline: requests for anything else would go to the network.
 */
export async function buildFakeWhatsAppWeb(dir: string, overrides: Partial<FakeOptions> = {}): Promise<{ file: string; version: string }> {
  const options: FakeOptions = { ...DEFAULT_OPTIONS, ...overrides };
  const script = await bundle();
  // `</` cannot appear inside an inline script; the JSON is escaped the same way.
  const json = JSON.stringify(options).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>WhatsApp</title></head>
<body><div id="app">fake WhatsApp Web ${options.version}</div>
<script>window.__FAKE_WHATSAPP_OPTIONS__ = ${json};</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${options.version}.html`);
  await fs.writeFile(file, html);
  return { file, version: options.version };
}
