/**
 * The scanner's reads of the market through the broker: the tradable universe (once per trading
 * day), snapshots of all of it (in parallel chunks, kept only as metrics), and 20-day average volumes for the few that
 * get enriched (cached per day: yesterday's average does not change during today).
 */
import type { Broker, BrokerAsset } from "../../adapters/broker/broker.ts";
import { addDays, etDate, previousTradingDay, tradingDaysBetween } from "../../domain/exchange-calendar.ts";
import { snapshotMetrics, type SnapshotMetrics } from "../../domain/scanner/snapshot-metrics.ts";
import { chunk, mapConcurrent } from "../../runtime/concurrency.ts";

/** The adapter's request size: one request per chunk, a few in flight. */
const SNAPSHOT_CHUNK = 1_000;
const SNAPSHOT_LANES = 4;
const AVERAGE_VOLUME_DAYS = 20;
/** Alpaca lists crypto and OTC oddities as us_equity too; a scan wants plain listed tickers. */
const PLAIN_TICKER = /^[A-Z]{1,5}(\.[A-Z])?$/;

export interface UniverseMember {
  symbol: string;
  shortable: boolean;
}

export class ScannerMarketView {
  private universe: { date: string; members: UniverseMember[] } | null = null;
  private averageVolumes: { date: string; bySymbol: Map<string, number> } = { date: "", bySymbol: new Map() };

  constructor(private readonly broker: Broker) {}

  /** Active, tradable US equities with plain tickers, refreshed when the ET date changes. */
  async tradableUniverse(nowMs: number): Promise<UniverseMember[]> {
    const date = etDate(nowMs);
    if (this.universe?.date !== date) {
      const assets = await this.broker.listAssets({ status: "active", assetClass: "us_equity" });
      this.universe = { date, members: assets.filter(isScannable).map((a) => ({ symbol: a.symbol, shortable: a.shortable })) };
    }
    return this.universe.members;
  }

  /**
   * Each symbol's snapshot reduced to its metrics as its chunk arrives: the universe's raw snapshots
   * (~5,800) are never all held at once, which kept the scanner the largest worker heap.
   */
  async snapshotMetrics(symbols: string[], nowMs: number): Promise<SnapshotMetrics[]> {
    const parts = await mapConcurrent(chunk(symbols, SNAPSHOT_CHUNK), SNAPSHOT_LANES, async (part) => {
      const metrics: SnapshotMetrics[] = [];
      for (const snapshot of Object.values(await this.broker.getSnapshots(part))) {
        const m = snapshotMetrics(snapshot, nowMs);
        if (m !== null) metrics.push(m);
      }
      return metrics;
    });
    return parts.flat();
  }

  /** Mean daily volume over the 20 trading days before today; symbols without bars are absent. */
  async averageDailyVolumes(symbols: string[], nowMs: number): Promise<Map<string, number>> {
    const today = etDate(nowMs);
    if (this.averageVolumes.date !== today) this.averageVolumes = { date: today, bySymbol: new Map() };
    const cache = this.averageVolumes.bySymbol;
    const missing = symbols.filter((s) => !cache.has(s));
    if (missing.length > 0) {
      const lastDay = previousTradingDay(today);
      const days = tradingDaysBetween(addDays(lastDay, -40), lastDay).slice(-AVERAGE_VOLUME_DAYS);
      const bars = await this.broker.getBars(missing, "1Day", {
        start: `${days[0] ?? lastDay}T00:00:00Z`,
        end: `${addDays(lastDay, 1)}T03:59:59Z`,
      });
      for (const symbol of missing) {
        const series = bars[symbol] ?? [];
        cache.set(symbol, series.length === 0 ? 0 : series.reduce((sum, bar) => sum + bar.volume, 0) / series.length);
      }
    }
    return new Map(symbols.map((s) => [s, cache.get(s) ?? 0]));
  }
}

function isScannable(asset: BrokerAsset): boolean {
  return asset.tradable && asset.status === "active" && PLAIN_TICKER.test(asset.symbol);
}
