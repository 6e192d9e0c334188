/** What the indicators read of a bar: the broker's Bar fits, and so does any OHLCV record with an ISO start. */
export interface OhlcvBar {
  /** ISO-8601 UTC start of the bar. */
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The series technicalindicators takes, one array per field. */
export interface OhlcvSeries {
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

export function toSeries(bars: readonly OhlcvBar[]): OhlcvSeries {
  const series: OhlcvSeries = { high: [], low: [], close: [], volume: [] };
  for (const bar of bars) {
    series.high.push(bar.high);
    series.low.push(bar.low);
    series.close.push(bar.close);
    series.volume.push(bar.volume);
  }
  return series;
}

/** A finite number, or null: NaN and ±Infinity (a flat window, zero volume) are never reported. */
export function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
