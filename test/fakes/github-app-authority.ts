import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { FakeRequest, FakeResponse } from './fake-server.ts';
import { GitHubApiError } from './github-api-error.ts';

export interface FakeAppSeed {
  appId: number | string;
  /** The App's public key (PEM or KeyObject); the client signs with the private half. */
  publicKey: string | KeyObject;
  installationId: number;
  permissions?: Record<string, string>;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  expiresAt: string;
}

// GitHub refuses an App JWT whose exp is more than 10 minutes ahead; a little slack for clock drift.
const MAX_JWT_LIFETIME_S = 600;
const CLOCK_SLACK_S = 60;

const base64urlJson = (part: string): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {}; // undecodable: the checks below reject it
  }
};

/**
 * GitHub App authentication as GitHub does it: an RS256 JWT signed with the App's private key
 * buys a one-hour installation token (`ghs_…`) at POST /app/installations/:id/access_tokens.
 */
export class FakeAppAuthority {
  readonly issued: IssuedToken[] = [];
  private app: (FakeAppSeed & { key: KeyObject }) | undefined;

  configure(seed: FakeAppSeed): void {
    const key = typeof seed.publicKey === 'string' ? createPublicKey(seed.publicKey) : seed.publicKey;
    this.app = { ...seed, key };
  }

  accepts(token: string | undefined): boolean {
    const issued = this.issued.find((t) => t.token === token);
    return issued !== undefined && Date.parse(issued.expiresAt) > Date.now();
  }

  /** Forgets every issued token, as if they had all expired or been revoked. */
  revokeAll(): void {
    this.issued.length = 0;
  }

  accessTokens(req: FakeRequest): FakeResponse {
    try {
      const installationId = Number(req.params.id);
      this.verifyJwt(req.headers.authorization ?? '');
      if (installationId !== this.app!.installationId) throw new GitHubApiError(404, 'Not Found');
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x')}`;
      this.issued.push({ token, installationId, expiresAt });
      return {
        status: 201,
        body: {
          token, expires_at: expiresAt, repository_selection: 'all',
          permissions: this.app!.permissions ?? { contents: 'write', pull_requests: 'write', metadata: 'read' },
        },
      };
    } catch (error) {
      if (error instanceof GitHubApiError) return { status: error.status, body: error.body() };
      throw error;
    }
  }

  private verifyJwt(authorization: string): void {
    const app = this.app;
    if (!app) throw new GitHubApiError(404, 'Not Found');
    const [scheme, jwt = ''] = authorization.split(' ');
    if (!/^bearer$/i.test(scheme ?? '')) throw new GitHubApiError(401, 'A JSON web token could not be decoded');
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    const head = base64urlJson(header);
    const claims = base64urlJson(payload);
    const signed = Buffer.from(`${header}.${payload}`);
    if (head.alg !== 'RS256' || !verify('RSA-SHA256', signed, app.key, Buffer.from(signature, 'base64url'))) {
      throw new GitHubApiError(401, 'A JSON web token could not be decoded');
    }
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, iss } = claims as { iat?: unknown; exp?: unknown; iss?: unknown };
    if (String(iss) !== String(app.appId)) throw new GitHubApiError(401, "'Issuer' claim ('iss') must match the App's id");
    if (typeof iat !== 'number' || iat > now + CLOCK_SLACK_S) throw new GitHubApiError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.");
    if (typeof exp !== 'number' || exp <= now || exp > now + MAX_JWT_LIFETIME_S + CLOCK_SLACK_S) {
      throw new GitHubApiError(401, "'Expiration time' claim ('exp') is too far in the future or already passed");
    }
  }
}
