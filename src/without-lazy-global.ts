/**
 * Runs `create` with the global `name` reading as undefined, then puts Node's back.
 *
 * Node defines its fetch classes (`Request`, `Response`, `Headers`, `fetch`) as lazy globals: the
 * first read of any of them loads Node's bundled copy of undici, which the gateway never
 * uses. Some packages read one once, only to learn something whose answer on Node is fixed: Yoga's
 * server adapter compares `Request` with its own (on Node always @whatwg-node's ponyfill, never the
 * global), and pg (on Node 20, which has no `navigator`) builds a `Response` to test for Cloudflare.
 */
export function withoutLazyGlobal<T>(name: 'Request' | 'Response', create: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
  // Already read (a value now), or not Node's lazy getter: nothing to spare.
  if (!descriptor?.get) return create();
  Object.defineProperty(globalThis, name, { configurable: true, enumerable: descriptor.enumerable ?? false, writable: true, value: undefined });
  try {
    return create();
  } finally {
    Object.defineProperty(globalThis, name, descriptor);
  }
}
