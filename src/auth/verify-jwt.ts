import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config-schema.js';

type JwtConfig = NonNullable<AuthConfig['jwt']>;

/** Verifies a JWT's signature, expiry (required unless `requireExp: false`), issuer and audience; resolves with its claims or rejects. */
export type JwtVerifier = (token: string) => Promise<JWTPayload>;

/**
 * HS256 with a shared secret, or asymmetric keys from a JWKS URL (fetched lazily, cached, refreshed
 * on unknown `kid`). `jose` loads with the first token: a gateway without JWT auth never loads it.
 */
export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const options = {
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
    // A token without `exp` never expires: refused unless the operator opts out.
    ...(config.requireExp ? { requiredClaims: ['exp'] } : {}),
    clockTolerance: config.clockSkewSec,
  };
  // Checked now, so a bad URL still fails at startup rather than at the first token.
  const jwksUrl = config.secret ? undefined : new URL(config.jwksUrl as string);
  let verifier: Promise<JwtVerifier> | undefined;

  async function load(): Promise<JwtVerifier> {
    const { createRemoteJWKSet, jwtVerify } = await import('jose');
    if (config.secret) {
      const key = new TextEncoder().encode(config.secret);
      return async (token) => (await jwtVerify(token, key, { ...options, algorithms: ['HS256'] })).payload;
    }
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(jwksUrl as URL, { cooldownDuration: 30_000 });
    return async (token) => (await jwtVerify(token, jwks, { ...options, algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'] })).payload;
  }

  return async (token) => (await (verifier ??= load()))(token);
}
