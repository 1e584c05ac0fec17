import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['bench/.out/**', 'node_modules/', 'cdk.out/', 'coverage/', '.venv/', 'bin/ir.js', '*.config.js', 'scripts/*.js', 'bench/results.json'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
);
