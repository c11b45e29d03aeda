#!/usr/bin/env node
/* global process, console */
/**
 * Builds dist/ from src/: `tsc` (incremental) for every module, then the CLI again as one bundled file.
 *
 *   node scripts/build.mjs              build now (npm run build, npm install's `prepare`)
 *   node scripts/build.mjs --if-stale   build only when a source is newer than the last build
 *                                       (`npm start` and `npm run cli` run this first; it costs a few
 *                                       milliseconds of stat() calls when nothing changed)
 *
 * Why the CLI is bundled: each `npm run cli -- …` is a new process, and Node 20 spends most of a short
 * command loading modules one file at a time (zod alone is 95 files, ~100 ms). One file with zod, luxon
 * and our own modules inside starts in a fraction of that (what only some commands need, the feed stack,
 * is split into chunks loaded on demand). Native and worker-based packages
 * (better-sqlite3, pino) stay outside the bundle and are loaded from node_modules as usual.
 *
 * Plain JavaScript on purpose: it has to run before anything is compiled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written at the end of a successful build; its mtime is when that build started. */
const STAMP = path.join(DIST, '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs'];
/** Packages the CLI bundle loads from node_modules (native code, worker threads, or never used by it). */
/** Where the CLI bundle's on-demand parts go, under dist/. */
const CHUNKS = 'cli-chunks';
const EXTERNAL = ['better-sqlite3', 'pino', 'pino-pretty', 'node-cron', 'whatsapp-web.js', 'puppeteer', 'puppeteer-core', 'qrcode', 'qrcode-terminal'];

/** The newest mtime (ms) of a file or of any file under a folder; 0 when it does not exist. */
function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    if (err.code === 'ENOENT') return 0;
    throw err;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its folder's mtime
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Whether dist/ is missing, or older than one of its inputs. */
export function isStale(root = ROOT) {
  const dist = path.join(root, 'dist');
  let built;
  try {
    built = fs.statSync(path.join(dist, '.build-stamp')).mtimeMs;
  } catch {
    return true; // never built by this script
  }
  if (!fs.existsSync(path.join(dist, 'main.js')) || !fs.existsSync(path.join(dist, 'cli.js'))) return true;
  return INPUTS.some((input) => newestMtime(path.join(root, input)) > built);
}

async function build() {
  const started = new Date();
  if (!fs.existsSync(path.join(ROOT, 'src'))) {
    // The Dockerfile installs dependencies (which runs `prepare`) before it copies the sources in.
    console.error('build: no src/ folder yet, nothing to build');
    return 0;
  }
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  if (!fs.existsSync(tsc)) {
    console.error('build: TypeScript is not installed; run "npm install" (with dev dependencies) first');
    return 1;
  }
  let typeErrors = false;
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    typeErrors = true; // tsc still wrote dist/; bundle the CLI too, so dist/ stays of one piece, then fail
  }
  // The desk's templates and assets are not TypeScript: copied beside the compiled desk, where it looks first.
  for (const dir of ['views', 'assets']) {
    fs.rmSync(path.join(DIST, 'http/desk', dir), { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, 'src/http/desk', dir), path.join(DIST, 'http/desk', dir), { recursive: true });
  }
  try {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      metafile: true,
      absWorkingDir: ROOT,
      entryPoints: ['src/cli.ts'],
      outdir: 'dist',
      entryNames: '[name]',
      // What the CLI imports only for some commands (the feed stack: its HTTP client and parsers) goes
      // into chunks loaded on demand: the one file read at start stays small.
      splitting: true,
      chunkNames: `${CHUNKS}/[name]-[hash]`,
      minifyWhitespace: true,
      minifySyntax: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      logLevel: 'warning',
      external: EXTERNAL,
      // Bundled CommonJS packages call require() for Node's own modules; ESM has no require of its own.
      banner: { js: "import { createRequire as __newsdeskRequire } from 'node:module'; const require = __newsdeskRequire(import.meta.url);" },
    });
    fs.chmodSync(path.join(DIST, 'cli.js'), 0o755); // the package's `newsdesk` bin
    // Chunk names carry a hash of their content: drop the ones this build no longer uses. (Not before
    // the build: a CLI started from the previous build may still be loading them.)
    const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(ROOT, file)));
    for (const entry of fs.readdirSync(path.join(DIST, CHUNKS))) {
      const file = path.join(DIST, CHUNKS, entry);
      if (!written.has(file)) fs.rmSync(file, { force: true });
    }
  } catch (err) {
    console.error(`build: bundling the CLI failed: ${err.message}`);
    return 1;
  }
  if (typeErrors) {
    console.error('build: the TypeScript compiler reported errors (above); fix them and build again');
    return 1;
  }
  fs.writeFileSync(STAMP, '');
  fs.utimesSync(STAMP, started, started); // a source saved during the build makes the next run rebuild
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !isStale()) process.exitCode = 0;
  else {
    if (ifStale) console.error('newsdesk: the sources changed since the last build; building dist/ (a few seconds) …');
    process.exitCode = await build();
  }
}
