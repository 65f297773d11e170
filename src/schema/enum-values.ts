/**
 * GraphQL enum values (SCREAMING_SNAKE) for a closed set of domain strings, each
 * with its description, so the schema and the domain share one list.
 */
export function enumValues<const Value extends string>(
  values: readonly Value[],
  descriptions: Record<Value, string>,
): Record<Uppercase<Value>, { value: Value; description: string }> {
  return Object.fromEntries(
    values.map((value) => [value.toUpperCase(), { value, description: descriptions[value] }]),
  ) as Record<Uppercase<Value>, { value: Value; description: string }>;
}
