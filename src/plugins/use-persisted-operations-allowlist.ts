import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';

export interface PersistedOperationsOptions {
  /** Operation id (the SHA-256 codegen writes to its manifest) → document text. */
  operations: Readonly<Record<string, string>>;
  /**
   * False: only operations from the manifest run (a production frontend's allowlist);
   * true: persisted ids are accepted and ad-hoc operations still run.
   */
  allowArbitraryOperations: boolean;
}

/**
 * Persisted operations from a codegen manifest (`schema/generated/persisted-documents.json`).
 * Clients send `documentId` (GraphQL over HTTP) or Apollo's `extensions.persistedQuery.sha256Hash`.
 */
export function usePersistedOperationsAllowlist(options: PersistedOperationsOptions): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: options.allowArbitraryOperations,
    extractPersistedOperationId: (params) => {
      const documentId = (params as { documentId?: unknown }).documentId;
      if (typeof documentId === 'string') return documentId;
      const hash = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      return typeof hash === 'string' ? hash : null;
    },
    getPersistedOperation: (id) => options.operations[id] ?? options.operations[`sha256:${id}`] ?? null,
  }) as Plugin;
}
