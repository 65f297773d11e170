import type { AuthConfig, ProviderConfig } from './config-schema.js';

/** Where the gateway listens, and why (for the start-up log). */
export interface HostChoice {
  host: string;
  /** Set when the gateway chose loopback on its own: the message to show at start-up. */
  notice?: string;
}

/** The interface when nothing says otherwise and nothing is at stake. */
export const DEFAULT_HOST = '0.0.0.0';
const LOOPBACK = '127.0.0.1';

/** True in open mode: no API keys and no JWT issuer, so anyone who reaches the port is served. */
export function isOpenMode(auth: AuthConfig): boolean {
  return auth.keys.length === 0 && !auth.jwt;
}

/**
 * The listening interface: `HOST`, else `server.host`, else 0.0.0.0 — except in open mode with a
 * provider that is not the built-in `local` one, where an unset host means 127.0.0.1: an open
 * gateway on every interface would let anyone (or any web page) spend the operator's provider
 * credit. An explicit host is always honoured.
 */
export function chooseHost(options: { configured: string | undefined; env: Readonly<Record<string, string | undefined>>; auth: AuthConfig; providers: readonly ProviderConfig[] }): HostChoice {
  const explicit = options.env.HOST || options.configured;
  if (explicit) return { host: explicit };
  const paid = options.providers.filter((provider) => provider.type !== 'local').map((provider) => provider.id);
  if (!isOpenMode(options.auth) || paid.length === 0) return { host: DEFAULT_HOST };
  return {
    host: LOOPBACK,
    notice:
      `open mode (no auth.keys, no auth.jwt) with provider(s) ${paid.join(', ')}: listening on ${LOOPBACK} only. ` +
      'Set HOST or server.host (e.g. 0.0.0.0) to listen on other interfaces, after adding auth.keys.',
  };
}
