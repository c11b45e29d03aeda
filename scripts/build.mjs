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
 * command loading modules one file at a time (zod alone is 95 files, ~100 ms). src/cli-main.ts with
 * zod, luxon and our own modules inside goes into one CommonJS file, dist/cli-bundle.cjs, which the
 * launcher dist/cli.js (src/cli.ts) runs with V8's code cache. Native and worker-based packages
 * (better-sqlite3, pino) stay outside the bundle and are loaded from node_modules as usual. The build
 * ends by running `status` once on an empty temporary data folder, which writes the code cache, so the
 * first real call (and every call in a container image) starts warm.
 *
 * Plain JavaScript on purpose: it has to run before anything is compiled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written at the end of a successful build; its mtime is when that build started. */
const STAMP = path.join(DIST, '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs'];
/** The CLI bundle, under dist/ (src/cli.ts runs it). */
const BUNDLE = 'cli-bundle.cjs';
/**
 * Packages the CLI bundle loads from node_modules (native code, worker threads, or never used by it).
 * undici and iconv-lite (1.2 MB, the feed commands' HTTP client and charsets) too: read and kept in
 * memory by every call when bundled, they are loaded from node_modules only by the commands that fetch.
 * node-cron too: the CLI only validates a schedule that is not the default with it, never schedules.
 */
const EXTERNAL = ['bindings', 'better-sqlite3/package.json', 'node-cron', 'pino', 'pino-pretty', 'undici', 'iconv-lite', 'whatsapp-web.js', 'puppeteer', 'puppeteer-core', 'qrcode', 'qrcode-terminal'];

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
  if (!['main.js', 'cli.js', BUNDLE].every((file) => fs.existsSync(path.join(dist, file)))) return true;
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
    await bundleCli(await import('esbuild'));
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

/**
 * zod's namespace export carries its error messages in some 60 languages (`z.locales`, a third of the
 * bundle); Newsdesk speaks English only, so the bundle gets the English one alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: path.join(args.resolveDir, '../locales/index.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

/**
 * better-sqlite3's JavaScript goes into the bundle (under the code cache, instead of 14 files compiled
 * from source on every call); its native addon stays in node_modules. The package finds the addon with
 * the `bindings` package, which probes a dozen paths from the caller's location, wrong inside a bundle:
 * the bundle asks Node where better-sqlite3 is installed and loads the addon from its build folder.
 */
const sqliteAddonByPath = {
  name: 'sqlite-addon-by-path',
  setup(build) {
    build.onLoad({ filter: /better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const call = "require('bindings')('better_sqlite3.node')";
      if (!source.includes(call)) throw new Error(`better-sqlite3 no longer loads its addon with ${call}: update scripts/build.mjs`);
      const byPath = `require(require('path').join(require('path').dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node'))`;
      return { contents: source.replace(call, byPath), loader: 'js' };
    });
  },
};

/**
 * Bundles src/cli-main.ts into dist/cli-bundle.cjs, then warms its code cache. CommonJS because only a
 * classic script can be compiled with a code cache on Node 20; the bundle must be plain ASCII (the
 * launcher reads it as latin1), so the few characters esbuild leaves raw (inside regular expressions,
 * licence comments) are written as \u escapes, which mean the same there.
 */
async function bundleCli(esbuild) {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli-main.ts'],
    outfile: path.join('dist', BUNDLE),
    minifyWhitespace: true,
    minifySyntax: true,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    charset: 'ascii',
    sourcemap: true,
    logLevel: 'warning',
    external: EXTERNAL,
    // A CommonJS bundle has no import.meta: modules that load a package on first use
    // (createRequire(import.meta.url)) get the bundle's own URL.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "'use strict';var importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    plugins: [zodEnglishOnly, sqliteAddonByPath],
  });
  const file = path.join(DIST, BUNDLE);
  const text = fs.readFileSync(file, 'utf8').replace(/^#!/, '//'); // a function body cannot start with #!
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  fs.writeFileSync(file, ascii);
  fs.rmSync(path.join(DIST, 'cli-chunks'), { recursive: true, force: true }); // the earlier, split ESM bundle
  fs.chmodSync(path.join(DIST, 'cli.js'), 0o755); // the package's `newsdesk` bin (tsc wrote it)
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-build-'));
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NEWSDESK_')));
    execFileSync(process.execPath, [path.join(DIST, 'cli.js'), 'status'], { env: { ...env, NEWSDESK_DATA_DIR: data }, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`the bundled CLI does not run (\`node dist/cli.js status\` on an empty data folder): ${err.stderr?.toString().trim() || err.message}`);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !isStale()) process.exitCode = 0;
  else {
    if (ifStale) console.error('newsdesk: the sources changed since the last build; building dist/ (a few seconds) …');
    process.exitCode = await build();
  }
}
