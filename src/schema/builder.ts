import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from './context.js';

/** The one Pothos builder; each domain file adds its types to it. */
export function createBuilder() {
  return new SchemaBuilder<{
    Context: GatewayContext;
    DefaultFieldNullability: false;
    Scalars: {
      JSON: { Input: unknown; Output: unknown };
    };
  }>({
    defaultFieldNullability: false,
  });
}

export type Builder = ReturnType<typeof createBuilder>;
