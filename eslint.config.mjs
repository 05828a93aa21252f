// `npm run lint`: ESLint's and typescript-eslint's recommended rules, on the syntax
// alone: type-aware rules would repeat `npm run typecheck`, several times slower.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'drizzle/', '.data/', '**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` is left unused on purpose: a field dropped from a copy, an argument a signature needs.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['src/web/public/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['scripts/**/*.mjs', '*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['test/**', 'bench/**'],
    // What a test or a bench reads back is a GraphQL response's JSON: typing each would restate the schema.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
