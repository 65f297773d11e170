import { createHash, randomBytes } from 'node:crypto';

/** Prefix that makes Switchboard keys recognisable (for secret scanners, too). */
export const KEY_PREFIX = 'sbk_';

/** A new API key secret: 32 random bytes, base64url, with the prefix. Shown once, never stored. */
export function generateSecret(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The hex SHA-256 under which a key is stored and looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
