/** Which of a scan's candidates the workflow may enter, best first (the caller stops once its slots are used). */
import type { ModeSettings } from "./mode-settings.ts";

export interface EntryCandidate {
  rank: number;
  symbol: string;
  score: number;
  direction: "long" | "short";
  /** Entry, stop and target the scan suggested; without them there is no protective stop to send. */
  suggested: { entry: number; stop: number; target: number; basis: string } | null;
}

export type EnterableCandidate<C extends EntryCandidate> = C & { suggested: NonNullable<C["suggested"]> };

export function selectEntries<C extends EntryCandidate>(candidates: readonly C[], settings: ModeSettings, alreadyEntered: ReadonlySet<string>): EnterableCandidate<C>[] {
  return [...candidates]
    .sort((a, b) => a.rank - b.rank)
    .filter(
      (c): c is EnterableCandidate<C> =>
        c.suggested !== null && c.score >= settings.minScore && !(settings.longOnly && c.direction === "short") && !alreadyEntered.has(c.symbol),
    );
}
