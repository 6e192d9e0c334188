/**
 * The venue's latest trade and quote carry the time of the last print, as Alpaca's do: inside a
 * minute that trades it is the request's second; after a minute without trades the end of the
 * last one that traded; on a closed day the previous session's close (Friday 16:00 on a Sunday).
 */
import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { MarketFeed } from "../../src/services/venue/feed.ts";
import { SyntheticMarket } from "../../src/services/venue/market/market.ts";

const market = new SyntheticMarket(3, { universeSize: 300 });
const feed = new MarketFeed(market);
const symbols = market.assets().filter((a) => a.tradable).map((a) => a.symbol);
const MINUTE = 60_000;

describe("latest trade and quote times", () => {
  test("on a Sunday both are Friday's close, with Friday's closing price", () => {
    const sunday = etInstant("2026-03-08", "12:00");
    for (const symbol of symbols.slice(0, 20)) {
      const top = feed.top(symbol, sunday)!;
      expect(top.trade.at).toBe(etInstant("2026-03-06", "16:00"));
      expect(top.quote.at).toBe(top.trade.at);
      expect(top.trade.price).toBe(market.dailyBar(symbol, "2026-03-06")!.c);
    }
  });

  test("before the pre-market's first print it is the previous close; after the close, the last minute that traded", () => {
    const symbol = symbols[0]!;
    expect(feed.top(symbol, etInstant("2026-03-10", "03:00"))!.trade.at).toBe(etInstant("2026-03-09", "16:00"));
    const bars = market.minuteBars(symbol, "2026-03-10");
    expect(feed.top(symbol, etInstant("2026-03-10", "18:00"))!.trade.at).toBe(bars.at(-1)!.t + MINUTE);
  });

  test("in the session: now inside a minute that trades, the end of the last traded minute after one that does not", () => {
    let checkedGap = false;
    for (const symbol of symbols) {
      const bars = market.minuteBars(symbol, "2026-03-10");
      const traded = new Set(bars.map((b) => b.t));
      const inSession = bars.filter((b) => b.t >= etInstant("2026-03-10", "09:30"));
      const bar = inSession[10];
      if (!bar) continue;
      expect(feed.top(symbol, bar.t + 30_500)!.quote.at).toBe(bar.t + 30_000);
      const quiet = inSession.find((b) => !traded.has(b.t + MINUTE) && b.t + MINUTE < etInstant("2026-03-10", "16:00"));
      if (quiet) {
        expect(feed.top(symbol, quiet.t + MINUTE + 45_000)!.trade.at).toBe(quiet.t + MINUTE);
        checkedGap = true;
      }
      if (checkedGap) break;
    }
    expect(checkedGap).toBe(true);
  });
});
