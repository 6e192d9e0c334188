/**
 * Fault injection: what the venue does wrong on purpose, so Catalyst's recovery paths are exercised.
 * Decisions come from a seeded sequence, so a scenario replays the same way.
 */

export interface FaultPlan {
  /** Share of order submissions accepted, then rejected (status rejected, a `rejected` event). */
  rejectRate: number;
  /** Share of API requests answered with `errorStatus` and no effect. */
  errorRate: number;
  errorStatus: 500 | 503;
  /** Added to every API request. */
  latencyMs: number;
  /** Share of order submissions carried out whose response is then withheld (the caller times out). */
  dropResponseRate: number;
  /** How long a dropped response is withheld before the connection is answered with 504. */
  dropHoldMs: number;
  /** Share of trade_updates events not sent (the book still changes). */
  dropStreamEventRate: number;
  /** The next N fills that would complete an order fill only half of it. */
  partialFills: number;
}

export const NO_FAULTS: FaultPlan = {
  rejectRate: 0,
  errorRate: 0,
  errorStatus: 503,
  latencyMs: 0,
  dropResponseRate: 0,
  dropHoldMs: 60_000,
  dropStreamEventRate: 0,
  partialFills: 0,
};

const RATE_FIELDS = ["rejectRate", "errorRate", "dropResponseRate", "dropStreamEventRate"] as const;

/** Checks a partial plan field by field; returns the first problem as `field: message`, or null. */
export function faultPlanProblem(changes: Record<string, unknown>): string | null {
  for (const [field, value] of Object.entries(changes)) {
    if (!Object.hasOwn(NO_FAULTS, field)) return `${field}: unknown fault; known: ${Object.keys(NO_FAULTS).join(", ")}`;
    if (field === "errorStatus") {
      if (value !== 500 && value !== 503) return "errorStatus: must be 500 or 503";
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return `${field}: must be a number >= 0`;
    if ((RATE_FIELDS as readonly string[]).includes(field) && value > 1) return `${field}: is a probability between 0 and 1`;
    if (field === "partialFills" && !Number.isInteger(value)) return "partialFills: must be a whole number";
  }
  return null;
}

/** A seeded coin: the n-th decision of a kind is the same in every run with the same seed. */
export class FaultDice {
  private n = 0;

  constructor(private readonly seed: number) {}

  roll(probability: number, kind: string): boolean {
    if (probability <= 0) return false;
    const draw = Number(Bun.hash.wyhash(`${kind}:${++this.n}`, BigInt(this.seed)) >> 11n) / 2 ** 53;
    return draw < probability;
  }
}
