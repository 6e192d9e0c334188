/**
 * Client order ids: fixed in our row before the broker is called, so a lost answer or a restart
 * finds the order by it instead of sending it again. A caller's idempotency key always maps to
 * the same id (a retried request is the same order); without one, the id carries a random part,
 * so a fresh database can never collide with ids an Alpaca account has already seen.
 */
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export function clientOrderIdForKey(idempotencyKey: string): string {
  const digest = new Bun.CryptoHasher("sha256").update(idempotencyKey).digest();
  return `cat-k-${hex(new Uint8Array(digest)).slice(0, 32)}`;
}

const KIND_LETTER = { entry: "e", exit: "x", stop: "s", replacement: "r" } as const;

export function freshClientOrderId(kind: keyof typeof KIND_LETTER, random: Uint8Array = crypto.getRandomValues(new Uint8Array(12))): string {
  return `cat-${KIND_LETTER[kind]}-${hex(random)}`;
}
