import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One no-restricted-imports rule per layer (type imports included unless a pattern allows them). */
function layers(rules) {
  return rules.map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'bench/.work/', 'bench/results/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // An empty catch hides a failure; say what happens instead.
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in src/config.ts only.' }],
    },
  },
  // The dependency direction of ../shared/DESIGN.md: domain <- integrations, db, sandbox <- agents
  // <- jobs <- bot, with bot/views a pure leaf that jobs may use. Type imports count too: a type
  // that two layers share belongs in the lower one (domain, usually).
  ...layers([
    {
      files: ['src/domain/**/*.ts'],
      // baton.yml's schema types (policy.ts) are pure zod, with no side effect on import.
      patterns: [{ regex: '^\\.\\./(?!policy\\.ts$|domain/)', message: 'domain imports only domain (and policy.ts types): it is the bottom layer.' }],
    },
    {
      files: ['src/integrations/**/*.ts', 'src/db/**/*.ts', 'src/sandbox/**/*.ts'],
      patterns: [
        { regex: '^(\\.\\./)+(agents|jobs|bot|local)(/|$)', message: 'integrations, db and sandbox import only domain, policy.ts, logger.ts and their own layer.' },
        { regex: '^(\\.\\./)+(main|cli)\\.ts$', message: 'only the composition root imports main.ts.' },
      ],
    },
    {
      files: ['src/agents/**/*.ts'],
      patterns: [
        { regex: '^(\\.\\./)+(jobs|bot|local)(/|$)', message: 'agents never import jobs or bot: put shared types in domain (or agents).' },
        { regex: '^(\\.\\./)+(main|cli)\\.ts$', message: 'only the composition root imports main.ts.' },
      ],
    },
    {
      files: ['src/jobs/**/*.ts'],
      patterns: [
        { regex: '^(\\.\\./)+bot/(?!views/)', message: 'jobs use bot/views (pure Block Kit) only; listeners call jobs, not the reverse.' },
        { regex: '^(\\.\\./)+(main|cli)\\.ts$', message: 'only the composition root imports main.ts.' },
      ],
    },
    {
      // Listeners call jobs only through the functions main.ts hands them (types included: a
      // listener declares the shapes it needs, and the job's function fits them).
      files: ['src/bot/**/*.ts'],
      ignores: ['src/bot/views/**'],
      patterns: [
        { regex: '^(\\.\\./)+(jobs|agents|sandbox|local)(/|$)', message: 'bot calls into jobs only through functions main.ts hands it; declare the types it needs in bot (or domain).' },
        { regex: '^(\\.\\./)+(main|cli)\\.ts$', message: 'only the composition root imports main.ts.' },
      ],
    },
    {
      files: ['src/bot/views/**/*.ts'],
      patterns: [
        // The SlackMessage / Blocks shapes a view returns: a type, never the client.
        { regex: '^\\.\\./\\.\\./integrations/slack\\.ts$', allowTypeImports: true, message: 'views may import only the SlackMessage and Blocks types from integrations/slack.ts.' },
        { regex: '^\\.\\./\\.\\./(?!domain/|integrations/slack\\.ts$)', message: 'bot/views is a pure leaf: it imports only domain.' },
        { regex: '^\\.\\./(?!\\.\\./)', message: 'bot/views is a pure leaf: it imports only domain and other views.' },
      ],
    },
  ]),
  {
    files: ['src/config.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['bin/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
