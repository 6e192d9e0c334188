/** What a cycle's risk mode changes: how often it scans, how many entries a day, how good, how big, which way. */
import { SCAN_MODES, type ScanMode } from "../scanner/modes.ts";

export interface ModeSettings {
  scanEveryMinutes: number;
  /** Entries placed per cycle (one cycle is one trading day). */
  maxEntries: number;
  /** Candidates below this composite score are not entered (the scanner's own floor for the mode). */
  minScore: number;
  /** Multiplies risk per trade. */
  sizeMultiplier: number;
  longOnly: boolean;
}

export const MODE_SETTINGS: Record<ScanMode, ModeSettings> = {
  conservative: { scanEveryMinutes: 30, maxEntries: 2, minScore: SCAN_MODES.conservative.minScore, sizeMultiplier: 0.5, longOnly: true },
  normal: { scanEveryMinutes: 15, maxEntries: 4, minScore: SCAN_MODES.normal.minScore, sizeMultiplier: 1, longOnly: false },
  aggressive: { scanEveryMinutes: 10, maxEntries: 6, minScore: SCAN_MODES.aggressive.minScore, sizeMultiplier: 1.5, longOnly: false },
};
