/** Every detector over one series: the pattern service's whole analysis, pure and repeatable. */
import { detectAbcd } from "./abcd.ts";
import { detectFlags } from "./bull-flag.ts";
import { detectCandlesticks } from "./candlesticks.ts";
import { detectGapAndGo } from "./gap-and-go.ts";
import { detectTriangles } from "./triangle.ts";
import type { DetectedPattern, Detector, PatternInput } from "./types.ts";
import { detectVwapReclaim } from "./vwap-reclaim.ts";

/** Bumped whenever a detector's rules change, so stored results say which rules made them. */
export const PATTERN_RULES_VERSION = "1.0.0";

const DETECTORS: readonly Detector[] = [detectFlags, detectTriangles, detectAbcd, detectGapAndGo, detectVwapReclaim, detectCandlesticks];

/** All patterns found, most confident first (ties by name, so the order is stable). */
export function detectPatterns(input: PatternInput): DetectedPattern[] {
  if (input.bars.length === 0) return [];
  return DETECTORS.flatMap((detect) => detect(input)).sort(
    (a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name),
  );
}
