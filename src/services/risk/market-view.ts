/**
 * What the broker says about an entry: clock, account, the asset and its latest quote. The clock
 * and account are shared for a second (many intents at once would otherwise each cost two more
 * broker calls); the asset for a day; the quote is always fresh, since prices decide the order.
 */
import type { Broker, BrokerAccount, BrokerClock } from "../../adapters/broker/broker.ts";
import { decimalFromNumber } from "../../domain/money.ts";
import type { AccountSnapshot, MarketSnapshot } from "../../domain/risk/types.ts";
import { LruCache } from "../../runtime/lru.ts";

const SHARED_MS = 1_000;
const ASSET_MS = 24 * 3_600_000;

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
      const [c, a, asset_, snapshots] = await Promise.all([clock(), account(), asset(symbol), broker.getSnapshots([symbol])]);
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
          asset: asset_,
        },
        account: accountSnapshot(a),
      };
    },
  };
}
export type EntryMarketViews = ReturnType<typeof createEntryMarketView>;
