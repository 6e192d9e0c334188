/** How long the doctor may be silent in this configuration: for risk's books_reconciled and the schedule's dead-man. */
import type { Config } from "../config.ts";
import { DEFAULT_THRESHOLDS } from "../domain/doctor/types.ts";
import { doctorSilenceLimitMs } from "../domain/doctor/window.ts";

export interface DoctorWatch {
  /** Wall ms without a completed sweep, while sweeps are due, before the doctor counts as silent. */
  limitMs: number;
  /** Market ms per wall ms: VENUE_SPEED in sim mode, 1 against Alpaca. */
  marketSpeed: number;
}

export function doctorWatch(config: Config): DoctorWatch {
  const marketSpeed = config.mode === "sim" ? config.venue.speed : 1;
  return { limitMs: doctorSilenceLimitMs(DEFAULT_THRESHOLDS.sweepIntervalMs, marketSpeed, config.doctorTickSeconds * 1000), marketSpeed };
}
