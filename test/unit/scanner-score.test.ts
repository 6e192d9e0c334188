import { describe, expect, test } from "bun:test";
import {
  chooseDirection,
  momentumCredit,
  scoreCandidate,
  volumeCredit,
  type CandidateEvidence,
  type ScoreWeights,
} from "../../src/domain/scanner/score.ts";
import { suggestLevels } from "../../src/domain/scanner/suggest.ts";

const WEIGHTS: ScoreWeights = { catalyst: 0.35, momentum: 0.2, volume: 0.15, technical: 0.15, pattern: 0.15 };

const base: CandidateEvidence = {
  symbol: "ABC",
  price: 20,
  changePct: 6,
  relativeVolume: 4,
  lastCloseMs: Date.parse("2026-03-09T20:00:00Z"),
  catalysts: [{ type: "earnings", strength: 0.8, direction: "bullish", headline: "ABC beats", publishedAt: Date.parse("2026-03-10T11:00:00Z") }],
  technical: { score: 70, direction: "long" },
  patterns: [{ name: "bull_flag", direction: "long", confidence: 0.7, entry: 20.1, stop: 19.5, target: 21.3 }],
};

/** The same evidence seen in a mirror: bearish news, a drop, short signals. */
function mirrored(e: CandidateEvidence): CandidateEvidence {
  return {
    ...e,
    changePct: -e.changePct,
    catalysts: e.catalysts.map((c) => ({ ...c, direction: c.direction === "bullish" ? "bearish" : c.direction === "bearish" ? "bullish" : "neutral" })),
    technical: e.technical && { ...e.technical, direction: e.technical.direction === "long" ? "short" : e.technical.direction === "short" ? "long" : "neutral" },
    patterns: e.patterns.map((p) => ({ ...p, direction: p.direction === "long" ? "short" : "long" })),
  };
}

describe("direction-aware composite score (K37)", () => {
  test("bullish news, rising price, agreeing indicators and pattern: a strong long with every component explained", () => {
    const scored = scoreCandidate(base, WEIGHTS);
    expect(scored.direction).toBe("long");
    expect(scored.components).toEqual({ catalyst: 0.8, momentum: 0.75, volume: 0.6021, technical: 0.7, pattern: 0.7 });
    expect(scored.score).toBeCloseTo(0.35 * 0.8 + 0.2 * 0.75 + 0.15 * 0.6021 + 0.15 * 0.7 + 0.15 * 0.7, 4);
    expect(scored.reasons[0]).toContain("bullish earnings news decides");
    for (const name of ["catalyst", "momentum", "volume", "technical", "pattern"]) {
      expect(scored.reasons.some((r) => r.startsWith(`${name} `))).toBe(true);
    }
    expect(scored.bestPattern?.name).toBe("bull_flag");
  });

  test("the candidate names the news its catalyst score credits: the strongest aligned item as published, fresh news before stale", () => {
    const stale = { type: "fda", strength: 0.9, direction: "bullish" as const, headline: "ABC approval (yesterday)", publishedAt: Date.parse("2026-03-09T15:00:00Z") };
    const against = { type: "downgrade", strength: 0.95, direction: "bearish" as const, headline: "ABC cut", publishedAt: Date.parse("2026-03-10T12:00:00Z") };
    const scored = scoreCandidate({ ...base, catalysts: [stale, ...base.catalysts, against] }, WEIGHTS);
    // 0.9 before the last close counts 0.45; the fresh earnings at 0.8 is what the score credits.
    expect(scored.catalyst).toEqual(base.catalysts[0]!);
    expect(scoreCandidate({ ...base, catalysts: [stale] }, WEIGHTS).catalyst).toEqual(stale);
    // Weak bearish news does not decide against a rising price: the long credits no news at all.
    expect(scoreCandidate({ ...base, catalysts: [{ ...against, strength: 0.1 }] }, WEIGHTS)).toMatchObject({ direction: "long", catalyst: null });
    expect(scoreCandidate({ ...base, catalysts: [] }, WEIGHTS).catalyst).toBeNull();
  });

  test("a mirrored bearish setup is a short of the same score, never a long", () => {
    const long = scoreCandidate(base, WEIGHTS);
    const short = scoreCandidate(mirrored(base), WEIGHTS);
    expect(short.direction).toBe("short");
    expect(short.score).toBe(long.score);
    expect(short.components).toEqual(long.components);
  });

  test("a 6 % drop is not a good long: without bullish news the drop makes it a short candidate", () => {
    const drop = scoreCandidate({ ...base, changePct: -6, catalysts: [], technical: null, patterns: [] }, WEIGHTS);
    expect(drop.direction).toBe("short");
    expect(drop.components.momentum).toBe(0.75);
  });

  test("bullish news with the price falling: long, but momentum 0 and said so", () => {
    const fading = scoreCandidate({ ...base, changePct: -3 }, WEIGHTS);
    expect(fading.direction).toBe("long");
    expect(fading.components.momentum).toBe(0);
    expect(fading.reasons.join(" ")).toContain("moves against a long");
    expect(fading.score).toBeLessThan(scoreCandidate(base, WEIGHTS).score);
  });

  test("opposing news weakens the catalyst; indicators and patterns pointing the other way count 0", () => {
    const mixed = scoreCandidate(
      {
        ...base,
        catalysts: [...base.catalysts, { type: "offering", strength: 0.4, direction: "bearish", headline: "ABC offering", publishedAt: base.catalysts[0]!.publishedAt }],
        technical: { score: 80, direction: "short" },
        patterns: [{ name: "vwap_rejection", direction: "short", confidence: 0.9, entry: 19.9, stop: 20.3, target: 19.1 }],
      },
      WEIGHTS,
    );
    expect(mixed.direction).toBe("long");
    expect(mixed.components.catalyst).toBe(0.6);
    expect(mixed.components.technical).toBe(0);
    expect(mixed.components.pattern).toBe(0);
    expect(mixed.bestPattern).toBeNull();
  });

  test("weak news does not decide the direction; the move does", () => {
    const weak = { ...base, catalysts: [{ ...base.catalysts[0]!, type: "analyst", strength: 0.15 }], changePct: -4 };
    expect(chooseDirection(weak).direction).toBe("short");
  });

  test("momentum credit: nothing against the direction, full from 8 % to 15 %, extended moves penalised down to 0.25", () => {
    expect(momentumCredit(-2)).toBe(0);
    expect(momentumCredit(0)).toBe(0);
    expect(momentumCredit(4)).toBe(0.5);
    expect(momentumCredit(8)).toBe(1);
    expect(momentumCredit(15)).toBe(1);
    expect(momentumCredit(30)).toBe(0.5);
    expect(momentumCredit(80)).toBe(0.25);
  });

  test("volume credit: 1× or less is nothing, 10× is full, missing average is nothing", () => {
    expect(volumeCredit(null)).toBe(0);
    expect(volumeCredit(0.5)).toBe(0);
    expect(volumeCredit(1)).toBe(0);
    expect(volumeCredit(10)).toBe(1);
    expect(volumeCredit(100)).toBe(1);
    expect(volumeCredit(Math.sqrt(10))).toBeCloseTo(0.5, 10);
  });

  test("news from before the last close counts half: it has had a session to be priced in", () => {
    const stale = scoreCandidate({ ...base, catalysts: [{ ...base.catalysts[0]!, publishedAt: base.lastCloseMs - 1 }] }, WEIGHTS);
    expect(stale.components.catalyst).toBe(0.4);
    expect(stale.reasons.join(" ")).toContain("before the last close");
    // Halved, a 0.3 catalyst no longer decides the direction against the move.
    const weakStale = { ...base, changePct: -3, catalysts: [{ ...base.catalysts[0]!, strength: 0.3, publishedAt: base.lastCloseMs - 1 }] };
    expect(chooseDirection(weakStale).direction).toBe("short");
    expect(chooseDirection({ ...weakStale, catalysts: [{ ...weakStale.catalysts[0]!, publishedAt: base.lastCloseMs + 1 }] }).direction).toBe("long");
  });

  test("no evidence at all scores 0 and says why", () => {
    const empty = scoreCandidate({ symbol: "Z", price: 10, changePct: 0, relativeVolume: null, lastCloseMs: 0, catalysts: [], technical: null, patterns: [] }, WEIGHTS);
    expect(empty.score).toBe(0);
    expect(empty.reasons[0]).toContain("no directional evidence");
  });
});

describe("suggested levels", () => {
  test("an aligned pattern's levels win", () => {
    expect(suggestLevels("long", 20, base.patterns[0]!, 0.3)).toEqual({ entry: 20.1, stop: 19.5, target: 21.3, basis: "bull_flag" });
  });

  test("otherwise two ATRs (at least 1 %) with a 2R target, on the right side for each direction, rounded to the tick", () => {
    expect(suggestLevels("long", 20, null, 0.3)).toEqual({ entry: 20, stop: 19.4, target: 21.2, basis: "atr" });
    expect(suggestLevels("short", 20, null, 0.3)).toEqual({ entry: 20, stop: 20.6, target: 18.8, basis: "atr" });
    expect(suggestLevels("long", 50, null, 0.01)).toEqual({ entry: 50, stop: 49.5, target: 51, basis: "atr" });
    expect(suggestLevels("long", 0.5, null, null)).toEqual({ entry: 0.5, stop: 0.495, target: 0.51, basis: "atr" });
  });
});
