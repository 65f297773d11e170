import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way: the lower modules (errors, routing, providers, stores, the completion cache) import nothing
 * from the modules built on them (services, schema, server, rest, plugins). Each lower module lists
 * the source folders (or top-level files) it may import; anything else fails here.
 */
const srcRoot = fileURLToPath(new URL('../../src/', import.meta.url));

/** The folders (or top-level files, without `.ts`) each lower module may import, besides itself. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  errors: ['create-logger', 'create-log-throttle'],
  providers: ['config', 'errors'],
  routing: ['config', 'errors', 'providers'],
  stores: ['errors', 'providers', 'create-logger'],
  cache: ['config', 'providers', 'stores'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top-level module a path under src/ belongs to: its first folder, or its file name without `.ts`. */
function moduleOf(path: string): string {
  const [first = ''] = relative(srcRoot, path).split(/[\\/]/);
  return first.replace(/\.(ts|js)$/, '');
}

/** The relative imports of a file (static, `export … from`, and dynamic `import()`), resolved to paths. */
function relativeImports(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => normalize(join(dirname(file), specifier)));
}

function violations(module: string): string[] {
  const allowed = new Set([module, ...(ALLOWED[module] ?? [])]);
  return sourceFiles(join(srcRoot, module)).flatMap((file) =>
    relativeImports(file, readFileSync(file, 'utf8'))
      .filter((target) => !allowed.has(moduleOf(target)))
      .map((target) => `${relative(srcRoot, file)} → ${relative(srcRoot, target)}`),
  );
}

describe('layering', () => {
  it.each(Object.keys(ALLOWED))('src/%s imports only the modules below it', (module) => {
    expect(violations(module)).toEqual([]);
  });

  it('flags an upward import (routing → services)', () => {
    const file = join(srcRoot, 'routing', 'plan-routes.ts');
    const imports = relativeImports(file, "import type { GatewayChatRequest } from '../services/chat-types.js';\nconst lazy = await import('../schema/x.js');");
    expect(imports.map(moduleOf)).toEqual(['services', 'schema']);
  });
});
