import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One library per door (see STYLE.md): these imports are allowed in one place only. */
const doors = [
  { name: 'whatsapp-web.js', allowedIn: ['src/channel/whatsapp*.ts'], why: 'only the WhatsApp adapter talks to whatsapp-web.js' },
  { name: 'better-sqlite3', allowedIn: ['src/store/**'], why: 'SQL lives in src/store' },
  { name: 'node-cron', allowedIn: ['src/dispatch/wake-schedule.ts'], why: 'only the wake schedule uses node-cron' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.puppeteerrc.cjs', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off', // format.ts strips control characters on purpose
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: doors.map((d) => ({ name: d.name, message: d.why })) }],
    },
  },
  ...doors.map((d) => ({ files: d.allowedIn, rules: { 'no-restricted-imports': 'off' } })),
  {
    // The desk is one more door onto the command core (STYLE.md): never straight to the store.
    files: ['src/http/desk/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: doors.map((d) => ({ name: d.name, message: d.why })), patterns: [{ group: ['**/store/*'], message: 'the desk goes through the command core, not the store' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
