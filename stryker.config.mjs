/**
 * Mutation testing (`npm run mutate`): Stryker makes one small bug at a time in the modules that carry
 * Newsdesk's promises and runs the tests that cover it; a bug no test notices is a "survivor".
 * Incremental: the result is kept in reports/stryker-incremental.json, so the next run re-tests only
 * the mutants in code or tests that changed. Not in CI (it takes long); the report stays out of git.
 * One folder at a time: `npm run mutate -- --mutate 'src/dispatch/**'`.
 */
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  // Each mutant runs only the tests that reached it in the first (dry) run.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/dispatch/**/*.ts',
    'src/articles/**/*.ts',
    'src/editions/**/*.ts',
    'src/channel/whatsapp-channel.ts',
    'src/channel/outbox.ts',
    'src/commands/command-core.ts',
    'src/commands/inbox.ts',
    'src/commands/handlers/**/*.ts',
    'src/http/auth.ts',
    'src/config.ts',
    'src/store/article-queue.ts',
    'src/store/channel-claims.ts',
    'src/feeds/ingest/**/*.ts',
  ],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  // Two cores: more workers only make each one slower.
  concurrency: 2,
  // A shared machine runs slower than the dry run measured: be generous before calling a mutant a timeout.
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 85, break: null },
  // The sandbox needs the sources and tests only (a developer's data/ may hold a WhatsApp session).
  // `.stryker-tmp-*`: the sandboxes of a second run started with its own --tempDirName.
  ignorePatterns: ['dist', 'data', 'coverage', 'docker', 'bench', '.stryker-tmp-*', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
