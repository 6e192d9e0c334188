/** What a scan mode changes: how good a candidate must be, how many come back, whether shorts do. */
export type ScanMode = "conservative" | "normal" | "aggressive";

export interface ScanModeRules {
  minScore: number;
  maxCandidates: number;
  allowShorts: boolean;
}

export const SCAN_MODES: Record<ScanMode, ScanModeRules> = {
  conservative: { minScore: 0.45, maxCandidates: 5, allowShorts: false },
  normal: { minScore: 0.3, maxCandidates: 10, allowShorts: true },
  aggressive: { minScore: 0.2, maxCandidates: 20, allowShorts: true },
};
