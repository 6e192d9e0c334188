/**
 * How much of a normal day's volume has usually traded by a given minute of the regular session:
 * the U-shaped intraday profile of US equities (heavy open and close, quiet lunch), as cumulative
 * shares at half-hour marks. Relative volume mid-session compares against this share, not the day.
 */
const CUMULATIVE_SHARE_BY_HALF_HOUR = [0, 0.14, 0.23, 0.3, 0.36, 0.42, 0.47, 0.52, 0.57, 0.62, 0.68, 0.75, 0.84, 1] as const;
/** Before the open only pre-market prints exist; a floor keeps a thin pre-market from dividing by ~0. */
const MIN_SHARE = 0.04;

/** Share (MIN_SHARE–1) of a full day's volume expected by `minutesSinceOpen` (0 = 09:30, 390 = 16:00). */
export function expectedVolumeShare(minutesSinceOpen: number, sessionMinutes = 390): number {
  // Early closes compress the same profile into a shorter day.
  const position = (Math.min(Math.max(minutesSinceOpen, 0), sessionMinutes) / sessionMinutes) * 13;
  const i = Math.floor(position);
  const from = CUMULATIVE_SHARE_BY_HALF_HOUR[i] ?? 1;
  const to = CUMULATIVE_SHARE_BY_HALF_HOUR[i + 1] ?? 1;
  return Math.max(MIN_SHARE, from + (to - from) * (position - i));
}
