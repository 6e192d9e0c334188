/** Deterministic UUID-shaped ids: the same seed and sequence give the same ids, run after run. */

export function deterministicUuid(seed: number, namespace: string, n: number): string {
  const a = Bun.hash.wyhash(`${namespace}:${n}`, BigInt(seed)).toString(16).padStart(16, "0");
  const b = Bun.hash.wyhash(`${namespace}:${n}:b`, BigInt(seed)).toString(16).padStart(16, "0");
  const hex = a + b;
  // Version 4 and RFC 4122 variant nibbles, so validators that check UUID shape accept them.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
