/**
 * Seeded randomness. Every draw comes from a stream keyed by (seed, symbol, day, purpose), so any
 * symbol-day can be generated alone, in any order, and still come out the same.
 */

const TWO_POW_32 = 4_294_967_296;
/** Standard deviation of the sum of four uniform bytes. */
const BYTE_SUM_SD = Math.sqrt((4 * (256 * 256 - 1)) / 12);

/** What a stream is for: independent draws for the same (seed, symbol, day). */
export const Purpose = {
  universe: 1,
  walk: 2,
  catalystBlock: 3,
  catalyst: 4,
  day: 5,
  intraday: 6,
  news: 7,
  marketFactor: 8,
} as const;

/** 32-bit avalanche (murmur3's finaliser). */
function avalanche(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two 32-bit values into a well-spread key. */
export function mix(a: number, b: number): number {
  return avalanche(avalanche(a) + Math.imul(b | 0, 0x9e3779b1));
}

/** FNV-1a of the UTF-16 code units, avalanched. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return avalanche(h);
}

/** A standard normal fixed by one key (no stream needed). */
export function normalFromKey(key: number): number {
  const u1 = (key + 0.5) / TWO_POW_32;
  const u2 = avalanche(key ^ 0x5bd1e995) / TWO_POW_32;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** mulberry32: tiny and fast, plenty for a simulation. */
export class Rng {
  private state: number;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(key: number) {
    this.state = key | 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /**
   * Roughly standard normal from one draw: the sum of its four bytes (Irwin–Hall), tails cut at
   * ±3.5. Five times cheaper than normal(); used for per-minute noise, where millions are drawn.
   */
  roughNormal(): number {
    const bits = this.nextUint32();
    return ((bits & 255) + ((bits >>> 8) & 255) + ((bits >>> 16) & 255) + (bits >>> 24) - 510) / BYTE_SUM_SD;
  }

  /** Standard normal (Box–Muller, both halves used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }

  between(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  /** One of the entries, with probability proportional to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let remaining = this.next() * total;
    for (const [item, weight] of entries) {
      remaining -= weight;
      if (remaining < 0) return item;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new RangeError("weighted pick from an empty list");
    return last[0];
  }

  /** Poisson count; inversion is fine for the small means used here. */
  poisson(mean: number): number {
    let count = 0;
    let probability = Math.exp(-mean);
    let cumulative = probability;
    const u = this.next();
    while (u > cumulative && count < 1000) {
      count++;
      probability *= mean / count;
      cumulative += probability;
    }
    return count;
  }
}
