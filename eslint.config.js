// Lint: typescript-eslint's recommended rules over all TypeScript, plus the project's
// boundaries (the renderer never imports Node or Electron; the host never imports Electron).
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'net', 'http', 'crypto'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-output/**', 'firmware/build/**', 'test/tools/**/build/**', '**/*.min.js'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,js,mjs}'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The renderer runs sandboxed in Chromium: it reaches the host through the API only, and
    // takes only types from src-main/api.
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The renderer never imports Node modules; ask the host through the API.' },
            { group: ['electron'], message: 'The renderer never imports Electron; use the API client (src-renderer/api).' },
            {
              // Except the option catalog: pure data (no Node), which the config editor imports as is.
              regex: 'src-main/(app|server)/|src-main/host/(?!objects/catalog$|config/options$)',
              message: 'The renderer talks to the host through src-main/api only.',
            },
            { group: ['**/src-main/api/*', '!**/src-main/api/contract'], message: 'Import types from src-main/api/contract only.' },
          ],
        },
      ],
    },
  },
  {
    // The host runs under plain Node (CLI, tests, worker thread): never Electron.
    files: ['src-main/host/**/*.ts', 'src-main/server/**/*.ts', 'src-main/api/**/*.ts', 'src-main/cli.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/app may import Electron.' }] }],
    },
  },
);
