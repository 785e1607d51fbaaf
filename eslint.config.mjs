import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const libs = (...scopes) => scopes.map((s) => `scope:${s}`);

const config = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @switchyard/config (loadConfig) only.' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:types', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:config', onlyDependOnLibsWithTags: libs('types') },
            { sourceTag: 'scope:providers', onlyDependOnLibsWithTags: libs('types') },
            { sourceTag: 'scope:telemetry', onlyDependOnLibsWithTags: libs('types', 'config') },
            { sourceTag: 'scope:http', onlyDependOnLibsWithTags: libs('types', 'config', 'telemetry') },
            { sourceTag: 'scope:persistence', onlyDependOnLibsWithTags: libs('types', 'config') },
            { sourceTag: 'scope:queue', onlyDependOnLibsWithTags: libs('types', 'config') },
            { sourceTag: 'scope:metering', onlyDependOnLibsWithTags: libs('types', 'config', 'persistence', 'queue') },
            { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: libs('types', 'config', 'persistence', 'queue', 'http') },
            // What every service process is made of (config, PostgreSQL, Redis, auth, health, the key-info route).
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: libs('types', 'config', 'persistence', 'telemetry', 'http', 'auth') },
            { sourceTag: 'scope:tenancy', onlyDependOnLibsWithTags: libs('types', 'config', 'persistence', 'queue', 'telemetry', 'auth') },
            // Client protocols (Responses, Anthropic Messages) to and from the chat types: pure translation.
            { sourceTag: 'scope:ingress', onlyDependOnLibsWithTags: libs('types') },
            {
              sourceTag: 'scope:routing',
              onlyDependOnLibsWithTags: libs('types', 'config', 'providers', 'metering', 'auth', 'persistence', 'telemetry', 'queue', 'http'),
            },
            // Model calls go through the ChatCaller interface (bound to routing's GatewayClient by the app), and
            // tenancy through DocumentsTenancy (bound to auth and tenancy): the documents lib depends on neither.
            { sourceTag: 'scope:documents', onlyDependOnLibsWithTags: libs('types', 'config', 'persistence', 'queue', 'telemetry', 'http') },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: libs('types', 'config') },
          ],
        },
      ],
    },
  },
  {
    // The config loader is the one reader of process.env.
    files: ['libs/config/src/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

// Spec files may also import the testing lib (mocks, fixtures, the TCP proxy), so integration specs sit beside
// the code they test: the same boundaries plus `scope:testing`. libs/testing itself imports no lib its mocks test.
const [level, boundaries] = config.find((c) => c.rules?.['@nx/enforce-module-boundaries']).rules['@nx/enforce-module-boundaries'];
config.push({
  files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts'],
  rules: {
    '@nx/enforce-module-boundaries': [
      level,
      {
        ...boundaries,
        depConstraints: boundaries.depConstraints.map((c) => ({ ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:testing'] })),
      },
    ],
  },
});

export default config;
