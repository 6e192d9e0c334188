/**
 * The simulated history's time axis: trading days numbered from the first one of 2024. Daily walks
 * are indexed by these numbers, so any day in range can be generated without its predecessors.
 */
import { addDays, isTradingDay, type IsoDate } from "../../../domain/exchange-calendar.ts";

export const FIRST_SIMULATED_DAY: IsoDate = "2024-01-02";
/** Minutes from 04:00 to 09:30 ET: the pre-market part of a simulated day. */
export const PREMARKET_MINUTES = 330;
/** Most minutes a simulated day has (pre-market plus a full regular session). */
export const MAX_DAY_MINUTES = PREMARKET_MINUTES + 390;
/** Trading days covered (a power of two for the dyadic walk): 2024-01-02 until early 2032. */
export const DAY_CAPACITY = 2048;

let days: IsoDate[] | null = null;
let indexByDate: Map<IsoDate, number> | null = null;

function axis(): { days: IsoDate[]; indexByDate: Map<IsoDate, number> } {
  if (!days || !indexByDate) {
    days = [];
    indexByDate = new Map();
    for (let day = FIRST_SIMULATED_DAY; days.length < DAY_CAPACITY; day = addDays(day, 1)) {
      if (!isTradingDay(day)) continue;
      indexByDate.set(day, days.length);
      days.push(day);
    }
  }
  return { days, indexByDate };
}

/** The index of a simulated trading day, or undefined (not a trading day, or out of range). */
export function dayIndex(date: IsoDate): number | undefined {
  return axis().indexByDate.get(date);
}

export function dayAt(index: number): IsoDate | undefined {
  return axis().days[index];
}
