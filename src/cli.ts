#!/usr/bin/env node
/**
 * The `newsdesk` command (`npm run cli -- …`, `npx newsdesk …`): starts the CLI (cli-main.ts) fast.
 *
 * Each CLI call is a new process, so its start is its speed. The build bundles cli-main.ts and all it
 * imports into one CommonJS file, dist/cli-bundle.cjs (scripts/build.mjs). Node 20 has no compile cache
 * of its own (`module.enableCompileCache` came in 22), and compiling that file is the largest part of a
 * call, so this launcher compiles it with V8's code cache: the bytecode of the functions a call used is
 * kept beside the bundle and handed back to V8 on the next call, which then skips parsing them.
 *
 * The cache is only an accelerator. It is keyed by the bundle's size and mtime and by the Node version
 * (V8 itself rejects data from another V8, but would accept data for an edited bundle of the same
 * length), written atomically, and any failure to read or write it only means a slower start. Without
 * the bundle (a build by `tsc` alone), the unbundled cli-main.js runs instead.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const BUNDLE = path.join(import.meta.dirname, 'cli-bundle.cjs');

/** Runs the bundle with the code cache; false when there is no bundle. */
function runBundle(): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(BUNDLE);
  } catch {
    return false; // not bundled: the caller runs the unbundled build
  }
  const thisBuild = `.cli-bundle-${stat.size}-${Math.trunc(stat.mtimeMs)}-`;
  const cacheFile = path.join(import.meta.dirname, `${thisBuild}${process.version}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // first call after a build (or an unwritable dist/): compile from source
  }
  // The build checks the bundle is plain ASCII, so latin1 reads it exactly, and V8 keeps it as one-byte
  // text (UTF-8 decoding would cost more than the rest of the read).
  const source = fs.readFileSync(BUNDLE, 'latin1');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: BUNDLE, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At exit, the functions this call compiled are all in the cache, not only the top level.
    process.once('exit', () => saveCache(script, cacheFile, thisBuild));
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return true;
}

/** Writes the cache atomically, and drops the caches of earlier builds. */
function saveCache(script: vm.Script, cacheFile: string, thisBuild: string): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, script.createCachedData());
    fs.chmodSync(temporary, 0o644); // readable by the user a container runs as, whatever the umask
    fs.renameSync(temporary, cacheFile);
    for (const file of fs.readdirSync(path.dirname(cacheFile))) {
      if (file.startsWith('.cli-bundle-') && !file.startsWith(thisBuild)) fs.rmSync(path.join(path.dirname(cacheFile), file), { force: true });
    }
  } catch {
    // A read-only dist/ (an image run as another user) only means no cache: the next call compiles again.
    fs.rmSync(temporary, { force: true });
  }
}

if (!runBundle()) await import('./cli-main.js');
