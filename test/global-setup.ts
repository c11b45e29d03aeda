import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Builds dist/ once before the suite: child-process tests run `node dist/main.js`, the same command
 * `npm start` and the Dockerfile's CMD run.
 */
export default function setup(): void {
  if (process.env.NEWSDESK_TEST_SKIP_BUILD === '1') return; // for quick runs of unit tests only
  const root = path.resolve(import.meta.dirname, '..');
  // The same build as `npm run build` (tsc, then the bundled CLI), skipped when nothing changed since.
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], {
    cwd: root,
    stdio: 'inherit',
  });
}
