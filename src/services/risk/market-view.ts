/**
 * What the broker says about an entry: clock, account, the asset, its latest quote and its recent
 * volume. The account is shared for a second (many intents at once would otherwise each cost
 * another broker call); the asset and the recent volume for a day; the quote is always fresh,
 * since prices decide the order, and so is the clock read beside it: the quote's age is its stamp
 * against the market's clock, and at the venue's 600× a second-old shared clock would be ten
 * market minutes behind, hiding a stale quote.
 */
import type { Broker, BrokerAccount, BrokerClock } from "../../adapters/broker/broker.ts";
import { addDays, etDate, previousTradingDay, session, tradingDaysBetween } from "../../domain/exchange-calendar.ts";
import { decimalFromNumber } from "../../domain/money.ts";
import type { AccountSnapshot, MarketSnapshot, RecentVolume } from "../../domain/risk/types.ts";
import { LruCache } from "../../runtime/lru.ts";

const SHARED_MS = 1_000;
const ASSET_MS = 24 * 3_600_000;
/** The sessions whose volume makes the average minute (the scanner's average volume uses 20 too). */
export const RECENT_VOLUME_SESSIONS = 20;
const MINUTE_MS = 60_000;

/**
 * The regular-session volume of the daily bars of the sessions before `today`, over those
 * sessions' minutes (390, or 210 on an early close). Daily bars are regular hours only (the
 * venue's are the 09:30–close minutes; Alpaca's likewise), so shares ÷ minutes is the average
 * minute the venue's fill model takes its participation of. A bar on a day with no session is skipped.
 */
export function recentVolumeOf(bars: readonly { timestamp: string; volume: number }[]): RecentVolume | null {
  let shares = 0;
  let sessionMinutes = 0;
  let sessions = 0;
  for (const bar of bars) {
    const day = session(etDate(Date.parse(bar.timestamp)));
    if (!day || !(bar.volume >= 0)) continue;
    shares += Math.round(bar.volume);
    sessionMinutes += (day.close - day.open) / MINUTE_MS;
    sessions += 1;
  }
  return sessions === 0 ? null : { sessions, shares, sessionMinutes };
}

export interface EntryMarketView {
  now: number;
  market: MarketSnapshot;
  account: AccountSnapshot;
}

/** One in-flight or recent answer, shared by every caller within `ttlMs`. */
function shared<T>(load: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | null = null;
  return () => {
    if (!entry || performance.now() - entry.at > ttlMs) {
      const value = load();
      entry = { at: performance.now(), value };
      value.catch(() => {
        if (entry?.value === value) entry = null;
      });
    }
    return entry.value;
  };
}

export function accountSnapshot(account: BrokerAccount): AccountSnapshot {
  return {
    equity: account.equity,
    lastEquity: account.lastEquity,
    buyingPower: account.buyingPower,
    tradingBlocked: account.tradingBlocked || account.accountBlocked || account.tradeSuspendedByUser,
  };
}

export function createEntryMarketView(broker: Broker) {
  const clock = shared<BrokerClock>(() => broker.getClock(), SHARED_MS);
  const account = shared<BrokerAccount>(() => broker.getAccount(), SHARED_MS);
  const assets = new LruCache<string, { at: number; asset: MarketSnapshot["asset"] }>(2_000);
  const volumes = new LruCache<string, Promise<RecentVolume | null>>(2_000);

  /** Yesterday's and earlier volume does not change today: fetched once per symbol and ET date. */
  function recentVolume(symbol: string, now: number): Promise<RecentVolume | null> {
    const today = etDate(now);
    const key = `${today} ${symbol}`;
    const cached = volumes.get(key);
    if (cached) return cached;
    const lastDay = previousTradingDay(today);
    const days = tradingDaysBetween(addDays(lastDay, -40), lastDay).slice(-RECENT_VOLUME_SESSIONS);
    const loaded = broker
      .getBars([symbol], "1Day", { start: `${days[0] ?? lastDay}T00:00:00Z`, end: `${addDays(lastDay, 1)}T03:59:59Z` })
      .then((bars) => recentVolumeOf((bars[symbol] ?? []).slice(-RECENT_VOLUME_SESSIONS)));
    volumes.set(key, loaded);
    loaded.catch(() => {
      if (volumes.get(key) === loaded) volumes.delete(key);
    });
    return loaded;
  }

  async function asset(symbol: string): Promise<MarketSnapshot["asset"]> {
    const cached = assets.get(symbol);
    if (cached && performance.now() - cached.at < ASSET_MS) return cached.asset;
    const found = await broker.getAsset(symbol);
    const value = found ? { tradable: found.tradable && found.status === "active", shortable: found.shortable && found.easyToBorrow } : null;
    assets.set(symbol, { at: performance.now(), asset: value });
    return value;
  }

  return {
    clock,
    account,
    async view(symbol: string): Promise<EntryMarketView> {
      const [[c, volume], a, asset_, snapshots] = await Promise.all([
        broker.getClock().then(async (c) => [c, await recentVolume(symbol, Date.parse(c.timestamp))] as const),
        account(),
        asset(symbol),
        broker.getSnapshots([symbol]),
      ]);
      const snapshot = snapshots[symbol];
      const quote = snapshot?.latestQuote;
      const price = (n: number | undefined) => (n !== undefined && n > 0 ? decimalFromNumber(n, 4) : null);
      return {
        now: Date.parse(c.timestamp),
        market: {
          isOpen: c.isOpen,
          bid: price(quote?.bidPrice),
          ask: price(quote?.askPrice),
          last: price(snapshot?.latestTrade?.price),
          quoteAt: quote ? Date.parse(quote.timestamp) : null,
          asset: asset_,
          recentVolume: volume,
        },
        account: accountSnapshot(a),
      };
    },
  };
}
export type EntryMarketViews = ReturnType<typeof createEntryMarketView>;
