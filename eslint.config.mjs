// Lint rules that keep the package honest. The workflows/ override is the important one:
// Temporal replays workflow code in a deterministic sandbox, so anything that touches the
// outside world (Node built-ins, pg, the activity runtime) must never be imported there.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.replace(/^node:/, '')))];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'coverage/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflows are deterministic: no Node built-ins.' })),
            { name: 'pg', message: 'Workflows never touch PostgreSQL; call an activity.' },
            { name: 'pg-copy-streams', message: 'Workflows never touch PostgreSQL; call an activity.' },
            { name: '@temporalio/activity', message: 'Activity runtime is not available in workflows.' },
            { name: '@temporalio/worker', message: 'Worker runtime is not available in workflows.' },
            { name: '@temporalio/client', message: 'Use workflow APIs (startChild, signals), not the client.' },
          ],
          patterns: [{ group: ['node:*'], message: 'Workflows are deterministic: no Node built-ins.' }],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only (proxyActivities<typeof …>).',
            },
            {
              group: ['**/src/**', '!**/src/shared', '!**/src/shared/**'],
              allowTypeImports: true,
              message: 'Workflows may import values only from src/shared/ (workflow-safe code).',
            },
            {
              group: ['**/worker', '**/worker/**'],
              allowTypeImports: true,
              message: 'Workflows must not load the worker.',
            },
          ],
        },
      ],
    },
  },
);
