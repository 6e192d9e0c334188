/** A block of free loopback ports, for an appliance that must not collide with one already serving (tests, `catalyst demo`). */

/**
 * A port base whose ten ports are all free right now, from 20000–32759: below Linux's ephemeral
 * range (32768–60999), where any outgoing connection could take a port between this check and the bind.
 */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 10 * Math.floor(Math.random() * 1_276);
    const listeners: { stop(): void }[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        listeners.push(Bun.listen({ hostname: "127.0.0.1", port: base + i, socket: { data() {} } }));
      }
      return base;
    } catch {
      // One of them is taken: try another base.
    } finally {
      for (const l of listeners) l.stop();
    }
  }
  throw new Error("no free block of 10 ports found");
}
