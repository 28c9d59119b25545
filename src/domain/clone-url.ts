/**
 * Where Baton clones a repository from, derived from the GitHub API base it already talks to, so
 * one setting (GITHUB_API_URL) points both the REST calls and git at the same host:
 * - https://api.github.com            → https://github.com/owner/name.git
 * - https://ghe.example.com/api/v3    → https://ghe.example.com/owner/name.git (GitHub Enterprise Server)
 * - anything else (a gateway, a fake) → its origin + /owner/name.git
 * `override` (baton.yml `repos.<r>.clone_url`) wins when a repository lives elsewhere.
 */
export function cloneUrlFor(apiUrl: string, repo: string, override?: string): string {
  if (override) return override;
  const [owner, name] = repo.split('/');
  if (!owner || !name) throw new Error(`repository ${JSON.stringify(repo)} is not owner/name`);
  const base = new URL(apiUrl);
  const path = `/${owner}/${name}.git`;
  if (base.hostname === 'api.github.com') return `https://github.com${path}`;
  // GitHub Enterprise Server serves its REST API under /api/v3 and git at the host's root.
  const enterprise = base.pathname.replace(/\/+$/, '');
  if (enterprise.endsWith('/api/v3')) return `${base.origin}${enterprise.slice(0, -'/api/v3'.length)}${path}`;
  return `${base.origin}${path}`;
}
