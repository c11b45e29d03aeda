import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

/**
 * whatsapp-web.js 1.34.7 posts media to a channel with `mediaMetadata: msg.avParams()`; current
 * WhatsApp Web builds removed Msg#avParams (upstream #201823), so every image post to a channel threw.
 * patches/whatsapp-web.js+1.34.7.patch (applied by `postinstall`) calls WAWebMediaMetadata.mediaMetadata
 * instead, which avParams was a shortcut for (upstream PR #201824), and keeps avParams where a pinned
 * older build still has it.
 */
const root = path.resolve(import.meta.dirname, '../..');
const utils = fs.readFileSync(path.join(root, 'node_modules/whatsapp-web.js/src/util/Injected/Utils.js'), 'utf8');

/** The patched `mediaMetadata:` expression of the channel send path, as source. */
function mediaMetadataExpression(): string {
  const start = utils.indexOf('mediaMetadata:', utils.indexOf('sendNewsletterMessageJob'));
  const end = utils.indexOf('mediaHandle:', start);
  expect(start).toBeGreaterThan(0);
  return utils.slice(start + 'mediaMetadata:'.length, end).replace(/\/\/.*$/gm, '').trim().replace(/,$/, '');
}

describe('the whatsapp-web.js channel media patch', () => {
  it('is installed by postinstall and its file is committed', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; devDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('patch-package --error-on-fail');
    expect(pkg.dependencies['whatsapp-web.js']).toBe('1.34.7'); // the patch is for this exact version
    expect(fs.existsSync(path.join(root, 'patches/whatsapp-web.js+1.34.7.patch'))).toBe(true);
  });

  it('asks WAWebMediaMetadata for the metadata when the message model has no avParams (current WhatsApp Web)', () => {
    const calls: unknown[] = [];
    const window = { require: (name: string) => (name === 'WAWebMediaMetadata' ? { mediaMetadata: (m: unknown) => (calls.push(m), { type: 'image' }) } : undefined) };
    const msg = { id: 'm1' };
    const result: unknown = vm.runInNewContext(`(${mediaMetadataExpression()})`, { window, msg });
    expect(result).toEqual({ type: 'image' });
    expect(calls).toEqual([msg]);
  });

  it('still uses avParams on a build that has it (a pinned older WhatsApp Web)', () => {
    const window = { require: () => ({ mediaMetadata: () => 'wrong' }) };
    const msg = { avParams: () => 'from avParams' };
    expect(vm.runInNewContext(`(${mediaMetadataExpression()})`, { window, msg })).toBe('from avParams');
  });
});
