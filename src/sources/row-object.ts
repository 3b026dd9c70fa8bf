/**
 * Row objects keyed by column name. A column may be named `__proto__`; assigning that key on a plain
 * object would set its prototype instead, so such rows get a null prototype (the COPY layer takes both).
 */
export function rowObjectFactory(names: readonly (string | null)[]): () => Record<string, unknown> {
  return names.includes('__proto__') ? () => Object.create(null) as Record<string, unknown> : () => ({});
}
