import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['bench/.out/**', '.test-results/', 'test/ruler/.build/', 'node_modules/', 'cdk.out/', 'coverage/', '.venv/', 'bin/ir.js', '*.config.js', 'scripts/*.js', 'bench/results.json'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      // One zod, configured once: lambda/zod.ts (zod/mini with the English messages).
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^zod(/.*)?$', message: 'import zod through lambda/zod.ts (zod/mini with its error-message locale configured)' }],
        },
      ],
    },
  },
  { files: ['lambda/zod.ts'], rules: { 'no-restricted-imports': 'off' } },
);
