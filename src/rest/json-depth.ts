/**
 * Deepest nesting of objects and arrays a `/v1` JSON body may have. Generous for real bodies (the
 * deepest part, a tool's JSON Schema, rarely passes 20), and far below what recursive code
 * downstream (JSON.stringify when tokens are counted, schema conversion) survives.
 * @default 64
 */
export const MAX_JSON_BODY_DEPTH = 64;

/** True when `value` nests objects/arrays deeper than `limit`; iterative, so any depth is safe to check. */
export function jsonDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, depth] = item;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
