/** `least-latency` → `LEAST_LATENCY`, at the type level too. */
type Screaming<Value extends string> = Value extends `${infer Head}-${infer Tail}`
  ? `${Uppercase<Head>}_${Screaming<Tail>}`
  : Uppercase<Value>;

/**
 * GraphQL enum values (SCREAMING_SNAKE) for a closed set of domain strings, each
 * with its description, so the schema and the domain share one list.
 */
export function enumValues<const Value extends string>(
  values: readonly Value[],
  descriptions: Record<Value, string>,
): Record<Screaming<Value>, { value: Value; description: string }> {
  return Object.fromEntries(
    values.map((value) => [value.toUpperCase().replaceAll('-', '_'), { value, description: descriptions[value] }]),
  ) as Record<Screaming<Value>, { value: Value; description: string }>;
}
