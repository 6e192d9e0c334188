/** Sizing worked examples with exact decimal strings, and the reference price each order assumes. */
import { describe, expect, test } from "bun:test";
import { averageMinuteVolume, maxExitQty, referencePrice, sizeEntry } from "../../src/domain/risk/sizing.ts";
import { TEST_ACCOUNT, TEST_LIMITS, TEST_LONG_ENTRY } from "../support/risk-fixtures.ts";
import type { EntryRequest, MarketSnapshot, RiskLimits } from "../../src/domain/risk/types.ts";

const LIMITS = TEST_LIMITS;
const UNCAPPED: RiskLimits = { ...LIMITS, maxPositionNotional: "1000000", maxPositionPctEquity: "100" };
const ACCOUNT = TEST_ACCOUNT;

const LONG = TEST_LONG_ENTRY;
const SHORT: EntryRequest = { ...LONG, direction: "short", stopLoss: "20.50", takeProfit: "19.00" };

describe("referencePrice: the worse price for us", () => {
  const quote = (bid: string | null, ask: string | null, last: string | null): MarketSnapshot => ({
    isOpen: true,
    bid,
    ask,
    last,
    asset: { tradable: true, shortable: true },
    recentVolume: null,
    quoteAt: null,
  });
  const market = (request: EntryRequest) => ({ ...request, orderType: "market" as const, limitPrice: null });

  test("a market order assumes the far side of the quote, else the last trade", () => {
    expect(referencePrice(market(LONG), quote("19.98", "20.02", "20.00"))).toBe("20.02");
    expect(referencePrice(market(LONG), quote("19.98", null, "20.00"))).toBe("20.00");
    expect(referencePrice(market(SHORT), quote("19.98", "20.02", "20.00"))).toBe("19.98");
    expect(referencePrice(market(SHORT), quote(null, "20.02", "20.00"))).toBe("20.00");
  });

  test("a long limit assumes the higher of limit and ask", () => {
    expect(referencePrice(LONG, quote("20.03", "20.05", "20.04"))).toBe("20.05");
    expect(referencePrice(LONG, quote("19.90", "19.95", "19.92"))).toBe("20.00");
    expect(referencePrice(LONG, quote(null, null, "25.00"))).toBe("20.00");
  });

  test("a short limit assumes the lower of limit and bid", () => {
    expect(referencePrice(SHORT, quote("19.95", "19.97", "19.96"))).toBe("19.95");
    expect(referencePrice(SHORT, quote("20.10", "20.12", "20.11"))).toBe("20.00");
    expect(referencePrice(SHORT, quote(null, null, "15.00"))).toBe("20.00");
  });

  test("nothing known → null", () => {
    expect(referencePrice(market(LONG), quote(null, null, null))).toBeNull();
    expect(referencePrice(market(SHORT), quote(null, "20.02", null))).toBeNull();
  });
});

describe("sizeEntry", () => {
  test("worked example: 1 % of 100000 over a 0.50 stop is 2000 shares, capped by $10,000 at a price 0.5 % worse: 10000 ÷ 20.10 → 497", () => {
    expect(sizeEntry(LONG, LIMITS, ACCOUNT, "20.00")).toEqual({
      qty: 497,
      maxExitQty: null,
      referencePrice: "20.00",
      notional: "9940.00",
      riskUsd: "248.50",
      rewardUsd: "497.00",
      rewardRisk: 2,
    });
  });

  test("the cap's headroom: the most shares that still fit the limit after a 0.5 % rise", () => {
    const { qty } = sizeEntry(LONG, LIMITS, ACCOUNT, "20.00");
    expect(qty * 20.1).toBeLessThanOrEqual(10_000);
    expect((qty + 1) * 20.1).toBeGreaterThan(10_000);
  });

  test("uncapped, the risk budget decides: 1000 ÷ 0.50 = 2000 shares", () => {
    const sizing = sizeEntry(LONG, UNCAPPED, ACCOUNT, "20.00");
    expect(sizing.qty).toBe(2000);
    expect(sizing.notional).toBe("40000.00");
    expect(sizing.riskUsd).toBe("1000.00");
  });

  test("sizeMultiplier 0.5 halves the risk budget", () => {
    const sizing = sizeEntry({ ...LONG, sizeMultiplier: "0.5" }, UNCAPPED, ACCOUNT, "20.00");
    expect(sizing.qty).toBe(1000);
    expect(sizing.riskUsd).toBe("500.00");
  });

  test("the equity share caps when it is below the dollar limit: 25 % of 20000 = 5000 ÷ 20.10 → 248 shares", () => {
    const sizing = sizeEntry(LONG, LIMITS, { ...ACCOUNT, equity: "20000" }, "20.00");
    expect(sizing.qty).toBe(248);
    expect(sizing.notional).toBe("4960.00");
  });

  test("shares round down: 1000 ÷ 0.30 = 3333.33 → 3333", () => {
    const sizing = sizeEntry({ ...LONG, stopLoss: "19.70" }, UNCAPPED, ACCOUNT, "20.00");
    expect(sizing.qty).toBe(3333);
    expect(sizing.riskUsd).toBe("999.90");
    expect(sizing.rewardRisk).toBe(3.33);
  });

  test("the cap rounds down too: 10000 ÷ (19.99 × 1.005 = 20.08995) = 497.76 → 497", () => {
    const sizing = sizeEntry(SHORT, LIMITS, ACCOUNT, "19.99");
    // Short: stop 20.50 is 0.51 away (1000 ÷ 0.51 → 1960 shares, capped), target 19.00 is 0.99 away.
    expect(sizing).toEqual({
      qty: 497,
      maxExitQty: null,
      referencePrice: "19.99",
      notional: "9935.03",
      riskUsd: "253.47",
      rewardUsd: "492.03",
      rewardRisk: 1.94,
    });
  });

  test("a stop wider than the whole budget sizes 0 shares", () => {
    const sizing = sizeEntry({ ...LONG, stopLoss: "5.00" }, LIMITS, { ...ACCOUNT, equity: "1000" }, "20.00");
    expect(sizing.qty).toBe(0);
    expect(sizing.notional).toBe("0.00");
    expect(sizing.riskUsd).toBe("0.00");
  });

  test("a negative equity sizes 0 shares, not a negative count", () => {
    expect(sizeEntry(LONG, LIMITS, { ...ACCOUNT, equity: "-500" }, "20.00").qty).toBe(0);
  });

  test("a 0 stop distance sizes 0 shares and has no reward:risk", () => {
    const sizing = sizeEntry({ ...LONG, stopLoss: "20.00" }, LIMITS, ACCOUNT, "20.00");
    expect(sizing.qty).toBe(0);
    expect(sizing.rewardRisk).toBeNull();
  });

  test("an asked-for qty is kept as asked, even above the cap (the notional rule judges it)", () => {
    expect(sizeEntry({ ...LONG, qty: 100 }, LIMITS, ACCOUNT, "20.00")).toMatchObject({ qty: 100, notional: "2000.00", riskUsd: "50.00" });
    expect(sizeEntry({ ...LONG, qty: 1000 }, LIMITS, ACCOUNT, "20.00").notional).toBe("20000.00");
  });

  test("sub-penny amounts round half up to cents", () => {
    const cheap: EntryRequest = { ...LONG, limitPrice: "0.5125", stopLoss: "0.5000", takeProfit: "0.5500", qty: 3 };
    // notional 1.5375, risk 3 × 0.0125 = 0.0375, reward 3 × 0.0375 = 0.1125
    expect(sizeEntry(cheap, LIMITS, ACCOUNT, "0.5125")).toMatchObject({ notional: "1.54", riskUsd: "0.04", rewardUsd: "0.11", rewardRisk: 3 });
  });
});

describe("maxExitQty: what can be exited inside the flatten window", () => {
  const days = (n: number, perMinute: number) => ({ sessions: n, shares: n * 390 * perMinute, sessionMinutes: n * 390 });

  test("floor(participation × average minute volume × window minutes), exactly: 7800 over 390 min at 10 % for 15 min is 30; 7799 is 29", () => {
    expect(maxExitQty({ sessions: 1, shares: 7800, sessionMinutes: 390 }, "10", 15)).toBe(30);
    // 7799 ÷ 390 × 0.1 × 15 = 29.9961…: rounded down, never up.
    expect(maxExitQty({ sessions: 1, shares: 7799, sessionMinutes: 390 }, "10", 15)).toBe(29);
  });
  test("scales with the participation and the window", () => {
    expect(maxExitQty(days(20, 1000), "10", 15)).toBe(1500);
    expect(maxExitQty(days(20, 1000), "2.5", 15)).toBe(375);
    expect(maxExitQty(days(20, 1000), "10", 10)).toBe(1000);
  });
  test("an early close's 210 minutes weigh as minutes: 390 + 210 minutes with 60,000 shares is 100 a minute", () => {
    const mixed = { sessions: 2, shares: 60_000, sessionMinutes: 600 };
    expect(averageMinuteVolume(mixed)).toBe("100");
    expect(maxExitQty(mixed, "10", 15)).toBe(150);
  });
  test("no figures → null (unknown), no volume → 0", () => {
    expect(maxExitQty(null, "10", 15)).toBeNull();
    expect(maxExitQty({ sessions: 0, shares: 0, sessionMinutes: 0 }, "10", 15)).toBeNull();
    expect(maxExitQty(days(5, 0), "10", 15)).toBe(0);
  });
  test("sizeEntry caps a size it chooses at it, and keeps an asked-for qty (exit_liquidity judges that)", () => {
    expect(sizeEntry(LONG, LIMITS, ACCOUNT, "20.00", 120)).toMatchObject({ qty: 120, maxExitQty: 120, notional: "2400.00", riskUsd: "60.00" });
    expect(sizeEntry(LONG, LIMITS, ACCOUNT, "20.00", 10_000)).toMatchObject({ qty: 497, maxExitQty: 10_000 });
    expect(sizeEntry({ ...LONG, qty: 300 }, LIMITS, ACCOUNT, "20.00", 120)).toMatchObject({ qty: 300, maxExitQty: 120 });
  });
});
