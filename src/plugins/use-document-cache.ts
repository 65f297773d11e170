import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Options for `useDocumentCache`. */
export interface DocumentCacheOptions {
  /**
   * Heap the cached documents may hold, in (estimated) bytes; least recently used go first.
   * @default 32 MiB
   */
  maxBytes?: number;
}

/**
 * Heap a parsed document holds per character of its source (the AST, its locations and the
 * lexer's token list), measured with graphql 16 on the introspection query (~32 B/char) and
 * on small operations (~94 B/char, fixed overhead included): an overestimate for large ones.
 */
const BYTES_PER_CHAR = 48;
const BYTES_PER_DOCUMENT = 1_024;

/** A byte-bounded LRU of source text → document. */
function createLru(maxBytes: number) {
  const entries = new Map<string, { document: DocumentNode; bytes: number }>();
  let total = 0;
  return {
    get(source: string): DocumentNode | undefined {
      const entry = entries.get(source);
      if (!entry) return undefined;
      // Refresh: Map iteration order is insertion order, so the first entry is the least recent.
      entries.delete(source);
      entries.set(source, entry);
      return entry.document;
    },
    set(source: string, document: DocumentNode): void {
      const bytes = BYTES_PER_DOCUMENT + source.length * BYTES_PER_CHAR;
      // One document may not crowd out the rest.
      if (bytes > maxBytes / 8 || entries.has(source)) return;
      entries.set(source, { document, bytes });
      total += bytes;
      for (const [oldest, entry] of entries) {
        if (total <= maxBytes) break;
        entries.delete(oldest);
        total -= entry.bytes;
      }
    },
  };
}

/**
 * Replaces Yoga's parser and validation cache (unbounded in bytes, and keeping every syntax
 * error and every invalid document) with one that keeps only documents that parsed within the
 * limits and passed validation, bounded by estimated bytes. Invalid documents are parsed again
 * when sent again: their cost is already bounded by `server.maxTokens`, and caching them would let
 * a caller fill the heap. The validation rules are fixed for the server's lifetime, so "validated
 * once against this schema" is a property of the document object.
 */
export function useDocumentCache(options: DocumentCacheOptions = {}): Plugin {
  const lru = createLru(options.maxBytes ?? 32 * 1024 * 1024);
  /** Source text of documents parsed but not yet validated. */
  const sources = new WeakMap<DocumentNode, string>();
  const valid = new WeakMap<GraphQLSchema, WeakSet<DocumentNode>>();

  return {
    onParse({ params, setParsedDocument }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      const cached = lru.get(source);
      if (cached) {
        setParsedDocument(cached);
        return undefined;
      }
      return ({ result }) => {
        if (result && !(result instanceof Error)) sources.set(result as DocumentNode, source);
      };
    },
    onValidate({ params: { schema, documentAST }, setResult }) {
      let validFor = valid.get(schema);
      if (!validFor) valid.set(schema, (validFor = new WeakSet()));
      if (validFor.has(documentAST)) {
        setResult([]);
        return undefined;
      }
      const known = validFor;
      return ({ valid: passed }) => {
        const source = sources.get(documentAST);
        if (!passed || source === undefined) return;
        known.add(documentAST);
        lru.set(source, documentAST);
      };
    },
  };
}
