import { describe, expect, test } from "bun:test";
import { etDate, etInstant, previousTradingDay, session, tradingDaysBetween, type IsoDate } from "../../src/domain/exchange-calendar.ts";
import { isOnTick, toTicks } from "../../src/services/venue/exchange/ticks.ts";
import { type SimBar, type SimNews, SyntheticMarket } from "../../src/services/venue/market/market.ts";

const SEED = 20_260_309;
const DAY = "2026-03-10";
/** Six letters: no generated ticker is that long. */
const UNLISTED = "NOSUCH";
const market = new SyntheticMarket(SEED);
const tradable = market.assets().filter((a) => a.tradable);
/** Every 40th tradable symbol: a spread of prices, volumes and sectors. */
const sample = tradable.filter((_, i) => i % 40 === 0).map((a) => a.symbol);

function regularBars(symbol: string, day: IsoDate): SimBar[] {
  const open = session(day)?.open ?? Infinity;
  return market.minuteBars(symbol, day).filter((b) => b.t >= open);
}

function sessionOf(day: IsoDate) {
  const s = session(day);
  if (!s) throw new Error(`${day} is not a trading day`);
  return s;
}

/** The words just before "(SYM)" start the listing's name: "Acme Biotech (ACMB)" for "Acme Biotech Inc. Common Stock". */
function namesCompany(headline: string, symbol: string, name: string): boolean {
  const words = (headline.split(` (${symbol})`)[0] ?? "").split(" ");
  return [2, 3, 4].some((n) => words.length >= n && name.startsWith(`${words.slice(-n).join(" ")} `));
}

function newsOver(days: readonly IsoDate[]): { day: IsoDate; item: SimNews }[] {
  return days.flatMap((day) => market.news(day).map((item) => ({ day, item })));
}

describe("determinism", () => {
  test("same seed, same universe, bars and news, whatever is asked first", () => {
    const other = new SyntheticMarket(SEED);
    const symbols = sample.slice(0, 8);
    // Ask in a different order on the other instance: memoised state must not leak into output.
    const later = "2026-06-15";
    const otherLater = symbols.map((s) => other.minuteBars(s, later));
    const otherNews = other.news(DAY);
    const otherBars = symbols.map((s) => other.minuteBars(s, DAY));
    expect(JSON.stringify(other.assets())).toBe(JSON.stringify(market.assets()));
    expect(JSON.stringify(symbols.map((s) => market.minuteBars(s, DAY)))).toBe(JSON.stringify(otherBars));
    expect(JSON.stringify(symbols.map((s) => market.minuteBars(s, later)))).toBe(JSON.stringify(otherLater));
    expect(JSON.stringify(market.news(DAY))).toBe(JSON.stringify(otherNews));
  });

  test("a different seed gives a different market", () => {
    const other = new SyntheticMarket(SEED + 1, { universeSize: 500 });
    const mine = new SyntheticMarket(SEED, { universeSize: 500 });
    expect(JSON.stringify(other.assets())).not.toBe(JSON.stringify(mine.assets()));
    const symbol = mine.assets()[0]?.symbol ?? "";
    const otherSymbol = other.assets()[0]?.symbol ?? "";
    expect(JSON.stringify(other.minuteBars(otherSymbol, DAY))).not.toBe(JSON.stringify(mine.minuteBars(symbol, DAY)));
    expect(JSON.stringify(other.news(DAY))).not.toBe(JSON.stringify(mine.news(DAY)));
  });

  test("evicted symbol-days come back identical", () => {
    const small = new SyntheticMarket(SEED, { universeSize: 500, minuteCacheSymbolDays: 2 });
    const fresh = new SyntheticMarket(SEED, { universeSize: 500, minuteCacheSymbolDays: 0 });
    const [a, b, c] = small.assets().filter((x) => x.tradable).map((x) => x.symbol);
    if (!a || !b || !c) throw new Error("universe too small");
    const first = JSON.stringify(small.minuteBars(a, DAY));
    small.minuteBars(b, DAY);
    small.minuteBars(c, DAY); // evicts a; its slot now holds c
    expect(JSON.stringify(small.minuteBars(b, DAY))).toBe(JSON.stringify(fresh.minuteBars(b, DAY)));
    expect(JSON.stringify(small.minuteBars(a, DAY))).toBe(first);
    expect(JSON.stringify(small.minuteBars(c, DAY))).toBe(JSON.stringify(fresh.minuteBars(c, DAY)));
  });

  test("a sweep over many symbols reads what a plain read does, and stores none of it", () => {
    const small = new SyntheticMarket(SEED, { universeSize: 500, minuteCacheSymbolDays: 4 });
    const fresh = new SyntheticMarket(SEED, { universeSize: 500, minuteCacheSymbolDays: 0 });
    const [held, ...swept] = small.assets().filter((x) => x.tradable).slice(0, 30).map((x) => x.symbol);
    const at = etInstant(DAY, "11:17");
    small.minuteBars(held!, DAY);
    expect(small.storedSymbolDays).toBe(1);
    // Several reads of each symbol, as a snapshot makes them, each of which may regenerate the day.
    const reads = (m: SyntheticMarket, symbol: string) => [
      m.priceAt(symbol, at),
      m.lastTradeAt(symbol, at),
      m.dailyBar(symbol, DAY),
      m.dailyBarSoFar(symbol, DAY, at),
      m.lastCompletedMinuteBar(symbol, DAY, at),
      m.dailyBar(symbol, previousTradingDay(DAY)),
      m.tradedSoFar(symbol, DAY, at),
    ];
    const inSweep = small.sweep(() => swept.map((symbol) => reads(small, symbol)));
    expect(inSweep).toEqual(swept.map((symbol) => reads(fresh, symbol)));
    expect(small.storedSymbolDays).toBe(1);
    // Outside a sweep what is read is stored.
    reads(small, swept[0]!);
    expect(small.storedSymbolDays).toBe(2);
  });
});

describe("universe", () => {
  const assets = market.assets();

  test("8,200 listings, at least 8,000 tradable, unique 1–5 letter tickers sorted", () => {
    expect(assets).toHaveLength(8200);
    expect(tradable.length).toBeGreaterThanOrEqual(8000);
    const symbols = assets.map((a) => a.symbol);
    expect(new Set(symbols).size).toBe(symbols.length);
    for (const symbol of symbols) expect(symbol).toMatch(/^[A-Z]{1,5}$/);
    expect([...symbols].sort()).toEqual(symbols);
    const ids = assets.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(market.asset(symbols[100] ?? "")).toBe(assets[100]);
    expect(market.asset(UNLISTED)).toBeUndefined();
  });

  test("sectors, exchanges and names", () => {
    expect(new Set(assets.map((a) => a.sector)).size).toBe(11);
    expect(new Set(assets.map((a) => a.exchange))).toEqual(new Set(["NYSE", "NASDAQ", "ARCA", "AMEX"]));
    for (const a of assets.slice(0, 200)) expect(a.name.length).toBeGreaterThan(a.symbol.length);
  });

  test("log-normal-ish prices and volumes", () => {
    const prices = assets.map((a) => a.basePrice);
    const inBand = prices.filter((p) => p >= 2 && p <= 200).length / prices.length;
    expect(inBand).toBeGreaterThan(0.8);
    expect(prices.filter((p) => p < 1).length).toBeGreaterThan(10);
    expect(prices.filter((p) => p > 500).length).toBeGreaterThan(10);
    for (const p of prices) expect(isOnTick(toTicks(p))).toBe(true);
    const volumes = assets.map((a) => a.avgDailyVolume);
    expect(Math.min(...volumes)).toBeLessThan(10_000);
    expect(Math.max(...volumes)).toBeGreaterThan(20_000_000);
    const median = [...volumes].sort((x, y) => x - y)[volumes.length >> 1] ?? 0;
    expect(median).toBeGreaterThan(100_000);
    expect(median).toBeLessThan(2_000_000);
  });

  test("liquid names are mostly shortable and easy to borrow; non-tradable ones are neither", () => {
    const liquid = tradable.filter((a) => a.basePrice * a.avgDailyVolume > 50_000_000);
    expect(liquid.length).toBeGreaterThan(500);
    expect(liquid.filter((a) => a.shortable).length / liquid.length).toBeGreaterThan(0.9);
    expect(liquid.filter((a) => a.easyToBorrow).length / liquid.length).toBeGreaterThan(0.85);
    for (const a of assets.filter((x) => !x.tradable)) expect(a.shortable || a.marginable || a.fractionable).toBe(false);
  });
});

describe("minute bars", () => {
  const days = ["2026-03-09", DAY, "2026-11-27"]; // the last one closes at 13:00

  test("every bar is valid: on tick, l ≤ o,c ≤ h, whole positive volume and trades, inside the day", () => {
    let count = 0;
    for (const day of days) {
      const s = sessionOf(day);
      for (const symbol of sample) {
        let previous = -Infinity;
        for (const b of market.minuteBars(symbol, day)) {
          count++;
          for (const price of [b.o, b.h, b.l, b.c]) expect(isOnTick(toTicks(price))).toBe(true);
          expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
          expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
          expect(b.vw).toBeGreaterThanOrEqual(b.l);
          expect(b.vw).toBeLessThanOrEqual(b.h);
          expect(Number.isInteger(b.v) && Number.isInteger(b.n)).toBe(true);
          expect(b.n).toBeGreaterThanOrEqual(1);
          expect(b.v).toBeGreaterThanOrEqual(b.n);
          expect(b.t % 60_000).toBe(0);
          expect(b.t).toBeGreaterThan(previous);
          expect(b.t).toBeGreaterThanOrEqual(s.preOpen);
          expect(b.t).toBeLessThan(s.close);
          previous = b.t;
        }
      }
    }
    expect(count).toBeGreaterThan(50_000);
  });

  test("the opening and closing prints are always there", () => {
    for (const day of days) {
      const s = sessionOf(day);
      for (const symbol of sample) {
        const bars = market.minuteBars(symbol, day);
        expect(bars.some((b) => b.t === s.open)).toBe(true);
        expect(bars.at(-1)?.t).toBe(s.close - 60_000);
      }
    }
  });

  test("daily bar = aggregate of the regular-session minutes, stamped midnight ET", () => {
    for (const day of days) {
      for (const symbol of sample) {
        const bars = regularBars(symbol, day);
        const daily = market.dailyBar(symbol, day);
        const volume = bars.reduce((sum, b) => sum + b.v, 0);
        const notional = bars.reduce((sum, b) => sum + b.vw * b.v, 0);
        expect(daily).toEqual({
          t: etInstant(day, "00:00"),
          o: bars[0]?.o ?? NaN,
          h: Math.max(...bars.map((b) => b.h)),
          l: Math.min(...bars.map((b) => b.l)),
          c: bars.at(-1)?.c ?? NaN,
          v: volume,
          n: bars.reduce((sum, b) => sum + b.n, 0),
          vw: Math.round((notional / volume) * 10_000) / 10_000,
        });
      }
    }
  });

  test("dailyBars covers the trading days of a range, each equal to dailyBar", () => {
    const symbol = sample[3] ?? "";
    const bars = market.dailyBars(symbol, "2026-03-30", "2026-04-10");
    const dayList = tradingDaysBetween("2026-03-30", "2026-04-10");
    expect(bars).toHaveLength(dayList.length);
    dayList.forEach((day, i) => expect(bars[i]).toEqual(market.dailyBar(symbol, day) ?? undefined));
    // Closes chain: each day opens from the previous close (a gap, not a reset).
    for (let i = 1; i < bars.length; i++) expect(Math.abs(Math.log((bars[i]?.o ?? 0) / (bars[i - 1]?.c ?? 1)))).toBeLessThan(0.5);
  });

  test("U-shaped volume: the first and last 30 minutes outweigh midday; pre-market is thin", () => {
    const s = sessionOf(DAY);
    let first = 0;
    let midday = 0;
    let last = 0;
    let premarket = 0;
    let regular = 0;
    for (const symbol of sample) {
      for (const b of market.minuteBars(symbol, DAY)) {
        const minute = (b.t - s.open) / 60_000;
        if (minute < 0) premarket += b.v;
        else regular += b.v;
        if (minute >= 0 && minute < 30) first += b.v;
        if (minute >= 150 && minute < 180) midday += b.v;
        if (minute >= 360) last += b.v;
      }
    }
    expect(first).toBeGreaterThan(1.5 * midday);
    expect(last).toBeGreaterThan(1.5 * midday);
    expect(premarket).toBeLessThan(0.1 * regular);
  });

  test("minuteBar finds the bar of a minute, null when nothing traded", () => {
    const symbol = sample[5] ?? "";
    const bars = market.minuteBars(symbol, DAY);
    const bar = bars[bars.length >> 1];
    if (!bar) throw new Error("no bars");
    expect(market.minuteBar(symbol, bar.t)).toEqual(bar);
    expect(market.minuteBar(symbol, bar.t + 1000)).toBeNull();
    expect(market.minuteBar(symbol, sessionOf(DAY).preOpen - 60_000)).toBeNull();
  });

  test("dailyBarSoFar aggregates only the minutes that have ended", () => {
    const symbol = sample[7] ?? "";
    const s = sessionOf(DAY);
    const tenAm = etInstant(DAY, "10:00");
    const sofar = market.dailyBarSoFar(symbol, DAY, tenAm + 30_000);
    const ended = regularBars(symbol, DAY).filter((b) => b.t + 60_000 <= tenAm + 30_000);
    expect(sofar?.c).toBe(ended.at(-1)?.c ?? NaN);
    expect(sofar?.v).toBe(ended.reduce((sum, b) => sum + b.v, 0));
    expect(market.dailyBarSoFar(symbol, DAY, s.open + 59_999)).toBeNull();
    expect(market.dailyBarSoFar(symbol, DAY, s.close)).toEqual(market.dailyBar(symbol, DAY));
  });
});

describe("closed days and unknown symbols", () => {
  test("weekends, holidays, unknown and non-tradable symbols have no data", () => {
    const symbol = sample[0] ?? "";
    for (const day of ["2026-03-07", "2026-03-08", "2026-04-03", "2025-01-09"]) {
      expect(market.minuteBars(symbol, day)).toEqual([]);
      expect(market.dailyBar(symbol, day)).toBeNull();
      expect(market.news(day)).toEqual([]);
    }
    expect(market.minuteBars(UNLISTED, DAY)).toEqual([]);
    expect(market.dailyBar(UNLISTED, DAY)).toBeNull();
    expect(market.priceAt(UNLISTED, etInstant(DAY, "10:00"))).toBeNull();
    const inactive = market.assets().find((a) => !a.tradable)?.symbol ?? "";
    expect(market.minuteBars(inactive, DAY)).toEqual([]);
    expect(market.priceAt(inactive, etInstant(DAY, "10:00"))).toBeNull();
  });

  test("days before the simulated history have no bars", () => {
    expect(market.minuteBars(sample[0] ?? "", "2023-12-29")).toEqual([]);
  });
});

describe("priceAt", () => {
  const symbol = sample[11] ?? "";
  const bars = market.minuteBars(symbol, DAY);
  const daily = market.dailyBar(symbol, DAY);
  const previousClose = market.dailyBar(symbol, previousTradingDay(DAY))?.c;

  test("inside a traded minute it moves from the open to the close", () => {
    const bar = bars.find((b) => b.t > sessionOf(DAY).open && b.o !== b.c);
    if (!bar) throw new Error("no moving bar");
    expect(market.priceAt(symbol, bar.t)).toBe(bar.o);
    const mid = market.priceAt(symbol, bar.t + 30_000) ?? NaN;
    expect(mid).toBeGreaterThanOrEqual(Math.min(bar.o, bar.c));
    expect(mid).toBeLessThanOrEqual(Math.max(bar.o, bar.c));
    expect(isOnTick(toTicks(mid))).toBe(true);
  });

  test("between bars it is the last close; before 04:00 and on closed days the previous close", () => {
    const s = sessionOf(DAY);
    const gapAfter = bars.findIndex((b, i) => (bars[i + 1]?.t ?? Infinity) - b.t > 60_000 && b.t + 60_000 < s.close);
    if (gapAfter >= 0) {
      const bar = bars[gapAfter];
      expect(market.priceAt(symbol, (bar?.t ?? 0) + 90_000)).toBe(bar?.c ?? NaN);
    }
    expect(market.priceAt(symbol, s.preOpen - 1)).toBe(previousClose ?? NaN);
    expect(market.priceAt(symbol, s.close)).toBe(daily?.c ?? NaN);
    expect(market.priceAt(symbol, etInstant(DAY, "19:30"))).toBe(daily?.c ?? NaN);
    expect(market.priceAt(symbol, etInstant("2026-03-08", "12:00"))).toBe(market.dailyBar(symbol, "2026-03-06")?.c ?? NaN);
  });

  test("the first simulated day opens from the base price", () => {
    const asset = market.asset(symbol);
    expect(market.priceAt(symbol, etInstant("2024-01-02", "03:00"))).toBe(asset?.basePrice ?? NaN);
  });
});

describe("spread", () => {
  test("a whole number of ticks, at least one, wider for illiquid names", () => {
    const byLiquidity = [...tradable].sort((a, b) => a.spreadBps - b.spreadBps);
    const tight = byLiquidity[0];
    const wide = byLiquidity.at(-1);
    if (!tight || !wide) throw new Error("empty universe");
    expect(market.spread(tight.symbol, 50)).toBe(0.01);
    expect(market.spread(wide.symbol, 50)).toBeGreaterThan(0.5);
    expect(market.spread(wide.symbol, 0.5) * 10_000).toBeCloseTo(Math.round(market.spread(wide.symbol, 0.5) * 10_000), 9);
    expect(market.spread(UNLISTED, 10)).toBe(0.01);
    for (const a of tradable.slice(0, 500)) expect(isOnTick(toTicks(market.spread(a.symbol, a.basePrice)))).toBe(true);
  });
});

describe("news and catalysts", () => {
  const days = tradingDaysBetween("2026-03-02", "2026-03-13");
  const all = newsOver(days);

  test("30–80 items a trading day, sorted by time then id, dated that ET day", () => {
    for (const day of days) {
      const items = market.news(day);
      expect(items.length).toBeGreaterThanOrEqual(30);
      expect(items.length).toBeLessThanOrEqual(80);
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1], items[i]];
        expect((a?.createdAt ?? 0) < (b?.createdAt ?? 0) || ((a?.createdAt ?? 0) === (b?.createdAt ?? 0) && (a?.id ?? 0) < (b?.id ?? 0))).toBe(true);
      }
      for (const item of items) expect(etDate(item.createdAt)).toBe(day);
    }
    expect(new Set(all.map(({ item }) => item.id)).size).toBe(all.length);
  });

  test("items read plausibly and name their company", () => {
    for (const { item } of all) {
      const symbol = item.symbols[0] ?? "";
      const asset = market.asset(symbol);
      expect(asset?.tradable).toBe(true);
      expect(item.headline).toContain(`(${symbol})`);
      expect(namesCompany(item.headline, symbol, asset?.name ?? "")).toBe(true);
      expect(item.url).toStartWith("https://news.sim.catalyst/");
      expect(item.source).toBe("sim-benzinga");
      expect(item.content).toContain(item.summary);
      if (item.kind === "general") expect([item.direction, item.impact]).toEqual([0, 0]);
      else expect(item.impact).toBeGreaterThan(0);
    }
    const kinds = new Set(all.map(({ item }) => item.kind));
    for (const kind of ["earnings", "analyst", "offering", "general", "guidance", "contract"]) expect(kinds.has(kind as SimNews["kind"])).toBe(true);
  });

  test("pre-market catalysts gap the stock their way on above-normal volume", () => {
    let bullish = 0;
    let bearish = 0;
    for (const { day, item } of all) {
      const symbol = item.symbols[0] ?? "";
      if (item.direction === 0 || item.impact < 0.05 || item.createdAt >= sessionOf(day).open) continue;
      const today = market.dailyBar(symbol, day);
      const yesterday = market.dailyBar(symbol, previousTradingDay(day));
      const asset = market.asset(symbol);
      if (!today || !yesterday || !asset) throw new Error(`no data for ${symbol}`);
      expect(Math.sign(today.o - yesterday.c)).toBe(item.direction);
      expect(today.v).toBeGreaterThan(1.5 * asset.avgDailyVolume);
      if (item.direction === 1) bullish++;
      else bearish++;
    }
    expect(bullish).toBeGreaterThan(5);
    expect(bearish).toBeGreaterThan(5);
  });

  test("intraday catalysts move price and volume after the publish minute", () => {
    let checked = 0;
    for (const { day, item } of all) {
      const symbol = item.symbols[0] ?? "";
      if (item.direction === 0 || item.impact < 0.05 || item.createdAt < sessionOf(day).open + 5 * 60_000) continue;
      const bars = regularBars(symbol, day);
      const published = item.createdAt - (item.createdAt % 60_000);
      const before = bars.filter((b) => b.t < published && b.t >= published - 30 * 60_000);
      const after = bars.filter((b) => b.t >= published && b.t < published + 30 * 60_000);
      const priceBefore = before.at(-1)?.c ?? bars[0]?.o ?? NaN;
      const priceAfter = after.at(-1)?.c ?? NaN;
      expect(Math.sign(priceAfter - priceBefore)).toBe(item.direction);
      const volume = (list: SimBar[]) => list.reduce((sum, b) => sum + b.v, 0);
      expect(volume(after)).toBeGreaterThan(2 * volume(before));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
