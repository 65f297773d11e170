import { SCOPES, type AuthConfig, type Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import type { KeyStore, StoredApiKey } from '../stores/store-types.js';
import { hashSecret } from './api-key-secret.js';
import { createPrincipal, type Principal } from './principal.js';
import { createJwtVerifier } from './verify-jwt.js';

export interface Authenticator {
  /** True when keys or JWT are configured: then every operation needs credentials. */
  readonly required: boolean;
  /** `Authorization: Bearer <key or JWT>` (or the bare token). Rejects with UNAUTHENTICATED. */
  authenticate(credential: string | undefined): Promise<Principal>;
  close(): void;
}

export interface AuthenticatorOptions {
  auth: AuthConfig;
  keys: KeyStore;
  /**
   * How long a key lookup is trusted without asking the store, in milliseconds: the
   * longest a revocation can take to reach this replica if its pub/sub message is lost.
   * @default 1000
   */
  cacheTtlMs?: number;
  now?: () => number;
}

interface CacheEntry {
  key: StoredApiKey | undefined;
  principal: Principal | undefined;
  expiresAt: number;
}

const MAX_CACHED = 10_000;
const BEARER = /^bearer\s+/i;

function unauthenticated(message: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', message);
}

function toScopes(value: unknown, fallback: readonly Scope[]): Set<Scope> {
  const raw = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : undefined;
  if (!raw) return new Set(fallback);
  return new Set(raw.filter((scope): scope is Scope => (SCOPES as readonly unknown[]).includes(scope)));
}

/**
 * Resolves callers from API keys (looked up by SHA-256, cached briefly, evicted
 * at once when any replica revokes) or JWTs; with neither configured, everyone
 * is the anonymous principal.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { auth, keys } = options;
  const ttl = options.cacheTtlMs ?? 1_000;
  const now = options.now ?? Date.now;
  const verifyJwt = auth.jwt ? createJwtVerifier(auth.jwt) : undefined;
  const required = auth.keys.length > 0 || verifyJwt !== undefined;
  const cache = new Map<string, CacheEntry>();
  const stopListening = keys.onRevoked((secretHash) => cache.delete(secretHash));
  const anonymous = createPrincipal({
    kind: 'anonymous',
    keyId: 'anonymous',
    scopes: new Set<Scope>(['models', 'chat', 'embed']),
    models: [],
    limits: auth.anonymousLimits,
  });

  function principalOf(key: StoredApiKey): Principal {
    return createPrincipal({ kind: 'key', keyId: key.id, scopes: toScopes(key.scopes, []), models: key.models, limits: key.limits });
  }

  async function fromKey(secret: string): Promise<Principal> {
    const secretHash = hashSecret(secret);
    let entry = cache.get(secretHash);
    if (!entry || entry.expiresAt <= now()) {
      let key: StoredApiKey | undefined;
      try {
        key = await keys.findByHash(secretHash);
      } catch (error: unknown) {
        // The store is down: a key seen recently keeps working; an unknown one cannot be checked.
        if (entry?.principal) return entry.principal;
        throw new GatewayError('STORE_UNAVAILABLE', 'The key store is unreachable; retry shortly.', { cause: error });
      }
      entry = { key, principal: key && !key.revokedAt ? principalOf(key) : undefined, expiresAt: now() + ttl };
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(secretHash, entry);
    }
    if (entry.principal) return entry.principal;
    throw unauthenticated(entry.key?.revokedAt ? 'This API key has been revoked.' : 'Unknown API key.');
  }

  async function fromJwt(token: string): Promise<Principal> {
    const jwt = auth.jwt;
    if (!verifyJwt || !jwt) throw unauthenticated('Unknown API key.');
    let claims;
    try {
      claims = await verifyJwt(token);
    } catch (error: unknown) {
      const reason = error instanceof Error && 'code' in error && error.code === 'ERR_JWT_EXPIRED' ? 'has expired' : 'is not valid';
      throw unauthenticated(`The token ${reason}.`);
    }
    const keyId = claims[jwt.claims.keyId];
    if (typeof keyId !== 'string' || keyId === '') throw unauthenticated(`The token has no "${jwt.claims.keyId}" claim.`);
    const models = claims[jwt.claims.models];
    return createPrincipal({
      kind: 'jwt',
      keyId,
      scopes: toScopes(claims[jwt.claims.scopes], jwt.defaultScopes),
      models: Array.isArray(models) ? models.filter((model): model is string => typeof model === 'string') : [],
      limits: jwt.limits,
    });
  }

  return {
    required,
    async authenticate(credential) {
      if (!required) return anonymous;
      const token = credential?.replace(BEARER, '').trim();
      if (!token) throw unauthenticated('Credentials are required: send "Authorization: Bearer <API key or token>".');
      return token.split('.').length === 3 && verifyJwt ? fromJwt(token) : fromKey(token);
    },
    close: stopListening,
  };
}
