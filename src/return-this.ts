/**
 * `[Symbol.asyncIterator]` for hand-written iterators that are their own iterable. Shared: written as
 * a method of an object literal, it would be a new function, with a new "[Symbol.asyncIterator]" name
 * string, for every stream.
 */
export function returnThis<T>(this: T): T {
  return this;
}
