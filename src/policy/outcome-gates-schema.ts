import { z } from 'zod';

// Paths an agent's change may not touch unless the ticket carries `sensitive_label`.
const DEFAULT_SENSITIVE = [
  '.github/workflows/**', '.gitlab-ci.yml', '.circleci/**', 'Jenkinsfile',
  'migrations/**', '**/migrations/**',
  'package-lock.json', '**/package-lock.json', '**/yarn.lock', '**/pnpm-lock.yaml', '**/Cargo.lock', '**/poetry.lock', '**/go.sum', '**/Gemfile.lock',
  '**/Dockerfile', '**/Dockerfile.*', '**/docker-compose*.yml',
  'infra/**', 'terraform/**', '**/*.tf', 'k8s/**', 'helm/**', '.baton/**', 'baton.yml',
];
const DEFAULT_TEST_PATHS = ['test/**', 'tests/**', '**/__tests__/**', '**/*.test.*', '**/*.spec.*', '**/test_*.py', '**/*_test.py', '**/*_test.go'];

export const outcomeGatesSchema = z
  .object({
    max_files: z.number().int().min(1).max(10_000).default(20),
    /** Added plus removed lines. */
    max_lines: z.number().int().min(1).max(1_000_000).default(600),
    sensitive_paths: z.array(z.string().min(1)).default(DEFAULT_SENSITIVE),
    /** A ticket with this label may touch sensitive paths. */
    sensitive_label: z.string().trim().min(1).default('baton-sensitive-ok'),
    /** Which files are tests (globs); FAIL_TO_PASS is checked on them. */
    test_paths: z.array(z.string().min(1)).default(DEFAULT_TEST_PATHS),
  })
  .prefault({});
