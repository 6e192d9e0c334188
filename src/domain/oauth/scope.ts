/**
 * The two scopes a token can carry: `read` (resources, reports, doctor status, read-only tools) and
 * `trade` (every tool that can change exposure). A tool not marked read-only needs `trade`.
 */
export const SCOPES = ["read", "trade"] as const;
export type Scope = (typeof SCOPES)[number];

/** A space-separated scope string as a sorted set; null when it names a scope we do not have. An empty one means read. */
export function parseScope(text: string | null | undefined): Scope[] | null {
  const names = (text ?? "").split(" ").filter((s) => s !== "");
  if (names.some((name) => !(SCOPES as readonly string[]).includes(name))) return null;
  const set = new Set<Scope>(names as Scope[]);
  set.add("read");
  return SCOPES.filter((s) => set.has(s));
}

export const formatScope = (scopes: readonly Scope[]): string => scopes.join(" ");

/** The scope a tool call needs, from its annotations (missing readOnlyHint counts as not read-only). */
export const scopeForTool = (annotations: { readOnlyHint?: boolean } | undefined): Scope => (annotations?.readOnlyHint === true ? "read" : "trade");

/** Narrowing only: a refresh may ask for less than the grant, never more. */
export const withinScope = (granted: readonly Scope[], requested: readonly Scope[]): boolean => requested.every((s) => granted.includes(s));
