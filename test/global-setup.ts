import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Builds dist/ once before the suite: child-process tests run `node dist/main.js`, the same command
 * `npm start` and the Dockerfile's CMD run.
 */
export default function setup(): void {
  if (process.env.NEWSDESK_TEST_SKIP_BUILD === '1') return; // for quick runs of unit tests only
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
