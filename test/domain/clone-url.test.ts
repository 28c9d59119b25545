import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneUrlFor } from '../../src/domain/clone-url.ts';

const cases: { api: string; repo: string; override?: string; want: string }[] = [
  { api: 'https://api.github.com', repo: 'acme/app', want: 'https://github.com/acme/app.git' },
  { api: 'https://api.github.com/', repo: 'acme/app', want: 'https://github.com/acme/app.git' },
  { api: 'https://ghe.example.com/api/v3', repo: 'acme/app', want: 'https://ghe.example.com/acme/app.git' },
  { api: 'https://ghe.example.com/api/v3/', repo: 'acme/app', want: 'https://ghe.example.com/acme/app.git' },
  { api: 'https://example.com/github/api/v3', repo: 'acme/app', want: 'https://example.com/github/acme/app.git' },
  { api: 'https://gateway.internal:8443/github', repo: 'acme/app', want: 'https://gateway.internal:8443/acme/app.git' },
  { api: 'http://127.0.0.1:4567', repo: 'acme/app.js', want: 'http://127.0.0.1:4567/acme/app.js.git' },
  { api: 'https://api.github.com', repo: 'acme/app', override: 'file:///srv/git/app.git', want: 'file:///srv/git/app.git' },
];

for (const c of cases) {
  test(`cloneUrlFor(${c.api}, ${c.repo}${c.override ? `, ${c.override}` : ''}) is ${c.want}`, () => {
    assert.equal(cloneUrlFor(c.api, c.repo, c.override), c.want);
  });
}

test('a repository name that is not owner/name is refused', () => {
  assert.throws(() => cloneUrlFor('https://api.github.com', 'app'), /not owner\/name/);
});
