/**
 * Runs `create` with `globalThis.Request` reading as undefined, then puts Node's back.
 *
 * Node defines its fetch classes as lazy globals: the first read of any of them loads Node's bundled
 * copy of undici, ~4 MB of heap the gateway never uses. Yoga's server adapter reads
 * `globalThis.Request` once, at creation, only to compare it with its own Request, which on Node is
 * always @whatwg-node's ponyfill, never the global: the comparison answers the same either way.
 */
export function withoutGlobalRequest<T>(create: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'Request');
  // Already read (a value now), or not Node's lazy getter: nothing to spare.
  if (!descriptor?.get) return create();
  Object.defineProperty(globalThis, 'Request', { configurable: true, enumerable: descriptor.enumerable ?? false, writable: true, value: undefined });
  try {
    return create();
  } finally {
    Object.defineProperty(globalThis, 'Request', descriptor);
  }
}
