import { SCOPES, type AuthConfig, type Scope } from '../config/config-schema.js';
import { GatewayError } from '../errors/gateway-error.js';
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
  /**
   * Told of every refused credential, whatever the transport (HTTP, SSE, graphql-ws, `/v1`):
   * the one place refusals are logged (below `error`, rate-limited).
   */
  onRefused?: (error: unknown) => void;
}

interface CacheEntry {
  principal: Principal;
  expiresAt: number;
}

/** A secret the store does not know, or knows as revoked. */
interface RefusedEntry {
  revoked: boolean;
  expiresAt: number;
}

/** Valid keys remembered: enough for every key of a large deployment. */
const MAX_CACHED = 10_000;
/**
 * Refused secrets remembered, apart from valid keys: anyone can send new ones,
 * so they must never push a valid key out (it would then fail during a store outage).
 */
const MAX_REFUSED = 10_000;
const BEARER = /^bearer\s+/i;

function unauthenticated(message: string): GatewayError {
  return new GatewayError('UNAUTHENTICATED', message);
}

/** Why a token was refused, in words that leak nothing about the verifier. */
function jwtRefusal(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ERR_JWT_EXPIRED') return 'has expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && 'claim' in (error as object) && (error as { claim?: unknown }).claim === 'exp') {
    return 'has no "exp" claim (tokens must expire)';
  }
  return 'is not valid';
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
  const refused = new Map<string, RefusedEntry>();
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

  const refusal = (revoked: boolean) => unauthenticated(revoked ? 'This API key has been revoked.' : 'Unknown API key.');

  /** Remembers a refused secret briefly (a key created meanwhile waits at most `ttl`), evicting the oldest refusal. */
  function refuse(secretHash: string, revoked: boolean): never {
    refused.delete(secretHash);
    if (refused.size >= MAX_REFUSED) refused.delete(refused.keys().next().value as string);
    refused.set(secretHash, { revoked, expiresAt: now() + ttl });
    throw refusal(revoked);
  }

  async function fromKey(secret: string): Promise<Principal> {
    const secretHash = hashSecret(secret);
    const entry = cache.get(secretHash);
    if (entry && entry.expiresAt > now()) return entry.principal;
    const known = refused.get(secretHash);
    if (known && known.expiresAt > now()) throw refusal(known.revoked);
    let key: StoredApiKey | undefined;
    try {
      key = await keys.findByHash(secretHash);
    } catch (error: unknown) {
      // The store is down: a key seen recently keeps working; an unknown one cannot be checked.
      if (entry) return entry.principal;
      throw new GatewayError('STORE_UNAVAILABLE', 'The key store is unreachable; retry shortly.', { cause: error });
    }
    if (!key || key.revokedAt) {
      cache.delete(secretHash);
      return refuse(secretHash, key !== undefined);
    }
    refused.delete(secretHash);
    const principal = principalOf(key);
    // Re-inserted, so the oldest entry is the one least recently confirmed.
    cache.delete(secretHash);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(secretHash, { principal, expiresAt: now() + ttl });
    return principal;
  }

  async function fromJwt(token: string): Promise<Principal> {
    const jwt = auth.jwt;
    if (!verifyJwt || !jwt) throw unauthenticated('Unknown API key.');
    let claims;
    try {
      claims = await verifyJwt(token);
    } catch (error: unknown) {
      throw unauthenticated(`The token ${jwtRefusal(error)}.`);
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
      try {
        if (!token) throw unauthenticated('Credentials are required: send "Authorization: Bearer <API key or token>".');
        return await (token.split('.').length === 3 && verifyJwt ? fromJwt(token) : fromKey(token));
      } catch (error: unknown) {
        options.onRefused?.(error);
        throw error;
      }
    },
    close: stopListening,
  };
}
