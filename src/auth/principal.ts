import { GatewayError } from '../errors/gateway-error.js';
import type { KeyLimits, Scope } from '../config/config-schema.js';

export const PRINCIPAL_KINDS = ['key', 'jwt', 'anonymous'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** Who is calling: resolved once per operation, from an API key, a JWT, or nobody (open access). */
export interface Principal {
  kind: PrincipalKind;
  /** Key id, JWT subject, or "anonymous": the id shown to users (`viewer.keyId`, logs, audit). */
  keyId: string;
  /**
   * What limits, usage, budgets, leases and cache scopes are counted against:
   * `key:<id>`, `jwt:<subject>` or `anon`. API keys and JWT subjects never share
   * one, even when a token's `sub` equals a key id.
   */
  subject: string;
  scopes: ReadonlySet<Scope>;
  /** Allowed model/route id globs, as configured; empty = all. */
  models: readonly string[];
  /** True when `id` (a model or route id) may be called. */
  allowsModel(id: string): boolean;
  limits: KeyLimits;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Refuses a model or route id outside the caller's allow-list. Checked before the
 * catalog is consulted, so a key learns nothing about models it may not use.
 */
export function assertModelAllowed(principal: Principal, id: string): void {
  if (!principal.allowsModel(id)) {
    throw new GatewayError('FORBIDDEN', `This key may not use "${id}".`, { details: { model: id } });
  }
}

/** The store namespace of a caller: `key:<id>`, `jwt:<subject>`, or `anon`. */
export function subjectOf(kind: PrincipalKind, id: string): string {
  return kind === 'anonymous' ? 'anon' : `${kind}:${id}`;
}

/**
 * The subject an admin means by an id: `key:x` and `jwt:x` as written,
 * "anonymous" or `anon` for open-mode callers, any other id an API key id.
 */
export function parseSubject(id: string): string {
  if (id.startsWith('key:') || id.startsWith('jwt:')) return id;
  return id === 'anonymous' || id === 'anon' ? 'anon' : subjectOf('key', id);
}

/** A principal with its model allow-list compiled once. */
export function createPrincipal(fields: Omit<Principal, 'allowsModel' | 'subject'>): Principal {
  const patterns = fields.models.map(globToRegExp);
  return {
    ...fields,
    subject: subjectOf(fields.kind, fields.keyId),
    allowsModel: patterns.length === 0 ? () => true : (id) => patterns.some((pattern) => pattern.test(id)),
  };
}
