/** Exposure per sector bucket (positions and working entries) against the sector cap: what the sector rule checks, for every bucket at once. */
import { absDecimal, compareDecimal, multiplyDecimal, roundDecimal, sumDecimal, type Decimal } from "../money.ts";
import { UNCLASSIFIED_SECTOR } from "./rules.ts";
import { percentOf } from "./sizing.ts";

export interface SectorExposure {
  sector: string;
  exposureUsd: Decimal;
  /** maxSectorExposurePct of equity. */
  capUsd: Decimal;
}

/** Largest exposure first. */
export function sectorExposures(exposures: readonly { sector: string | null; qty: Decimal; price: Decimal }[], equity: Decimal, maxSectorExposurePct: Decimal): SectorExposure[] {
  const buckets = new Map<string, Decimal[]>();
  for (const e of exposures) {
    const key = e.sector ?? UNCLASSIFIED_SECTOR;
    buckets.set(key, [...(buckets.get(key) ?? []), multiplyDecimal(absDecimal(e.qty), e.price)]);
  }
  const capUsd = roundDecimal(percentOf(equity, maxSectorExposurePct), 2);
  return [...buckets]
    .map(([sector, values]) => ({ sector, exposureUsd: roundDecimal(sumDecimal(values), 2), capUsd }))
    .sort((a, b) => compareDecimal(b.exposureUsd, a.exposureUsd) || a.sector.localeCompare(b.sector));
}
