/**
 * Every risk rule passing and failing, at its boundaries (exactly at a limit passes, a cent over
 * fails), for shorts and without a quote; through evaluateEntry, so sizing is the real one.
 */
import { describe, expect, test } from "bun:test";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { evaluateEntry } from "../../src/domain/risk/evaluate.ts";
import { RULES } from "../../src/domain/risk/rules.ts";
import { TEST_ACCOUNT, TEST_LIMITS, TEST_LONG_ENTRY } from "../support/risk-fixtures.ts";
import { RULE_NAMES, type Exposure, type RiskInput, type RuleName, type Verdict } from "../../src/domain/risk/types.ts";

/**
 * A long limit entry at 20.00 (the ask), stop 19.50, target 21.00 on 100000 equity: 1 % risk
 * sizes 2000 shares, capped by the $10,000 notional limit at 500 — notional 10000.00, risk 250.00.
 * At 11:00 ET on a regular Tuesday, in a symbol trading 10,000 shares a minute (20 full sessions):
 * 10 % of it over the 15-minute flatten window is 15,000 shares, far above any size here.
 */
const BASE: RiskInput = {
  request: TEST_LONG_ENTRY,
  limits: TEST_LIMITS,
  market: {
    isOpen: true,
    bid: "19.99",
    ask: "20.00",
    last: "20.00",
    quoteAt: etInstant("2026-03-10", "11:00") - 2_000,
    asset: { tradable: true, shortable: true },
    recentVolume: { sessions: 20, shares: 20 * 390 * 10_000, sessionMinutes: 20 * 390 },
  },
  account: TEST_ACCOUNT,
  book: {
    exposures: [],
    entriesToday: 0,
    killSwitch: null,
    halt: null,
    openCriticalIssues: [],
    doctorSilence: { lastSweepAgoMs: 60_000, lastSweepAt: "2026-03-10T15:59:00.000Z", watchingForMs: 3_600_000, limitMs: 660_000, marketSpeed: 1 },
    sector: "TECH",
  },
  priceBandPct: 2,
  now: etInstant("2026-03-10", "11:00"),
  flattenWindowMinutes: 15,
  exitParticipationPct: "10",
  maxQuoteAgeSeconds: 60,
};

/** Short at a 20.00 limit; the bid 19.99 is worse, so the checks assume 19.99. */
const SHORT_REQUEST: Partial<RiskInput["request"]> = { direction: "short", stopLoss: "20.50", takeProfit: "19.00" };
const NO_QUOTE: Partial<RiskInput["market"]> = { bid: null, ask: null, last: null, quoteAt: null };
const MARKET_ORDER: Partial<RiskInput["request"]> = { orderType: "market", limitPrice: null };

type Overrides = { [K in keyof RiskInput]?: RiskInput[K] extends object ? Partial<RiskInput[K]> : RiskInput[K] };

function entry(overrides: Overrides = {}): RiskInput {
  return {
    request: { ...BASE.request, ...overrides.request },
    limits: { ...BASE.limits, ...overrides.limits },
    market: { ...BASE.market, ...overrides.market },
    account: { ...BASE.account, ...overrides.account },
    book: { ...BASE.book, ...overrides.book },
    priceBandPct: overrides.priceBandPct ?? BASE.priceBandPct,
    now: overrides.now ?? BASE.now,
    flattenWindowMinutes: overrides.flattenWindowMinutes ?? BASE.flattenWindowMinutes,
    exitParticipationPct: overrides.exitParticipationPct ?? BASE.exitParticipationPct,
    maxQuoteAgeSeconds: overrides.maxQuoteAgeSeconds ?? BASE.maxQuoteAgeSeconds,
  };
}

function verdict(rule: RuleName, overrides: Overrides = {}): Verdict {
  const found = evaluateEntry(entry(overrides)).verdicts.find((v) => v.rule === rule);
  if (!found) throw new Error(`no verdict for ${rule}`);
  return found;
}

function exposure(symbol: string, qty: string, price: string, more: Partial<Exposure> = {}): Exposure {
  return { symbol, sector: "TECH", direction: "long", qty, price, kind: "position", riskToStop: "0", unprotected: false, ...more };
}

describe("evaluateEntry", () => {
  test("the base entry is approved, every rule run in order, sized once", () => {
    const evaluation = evaluateEntry(BASE);
    expect(evaluation.verdicts.map((v) => v.rule)).toEqual([...RULE_NAMES]);
    expect(evaluation.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(evaluation.approved).toBe(true);
    // Capped by the $10,000 position limit at a price 0.5 % worse: 10000 ÷ 20.10 = 497.5 → 497.
    expect(evaluation.sizing).toEqual({ qty: 497, maxExitQty: 15_000, referencePrice: "20.00", notional: "9940.00", riskUsd: "248.50", rewardUsd: "497.00", rewardRisk: 2 });
  });

  test("one failing rule refuses the entry, and the others still report", () => {
    const evaluation = evaluateEntry(entry({ market: { isOpen: false } }));
    expect(evaluation.approved).toBe(false);
    expect(evaluation.verdicts.filter((v) => !v.ok).map((v) => v.rule)).toEqual(["market_open"]);
    expect(evaluation.verdicts).toHaveLength(RULE_NAMES.length);
  });

  test("the short mirror of the base entry is approved at the bid", () => {
    const evaluation = evaluateEntry(entry({ request: SHORT_REQUEST }));
    expect(evaluation.verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(evaluation.sizing).toMatchObject({ qty: 497, referencePrice: "19.99", notional: "9935.03", riskUsd: "253.47" });
  });

  test("a market order without a quote has no sizing, and every rule needing one says so", () => {
    const evaluation = evaluateEntry(entry({ request: MARKET_ORDER, market: NO_QUOTE }));
    expect(evaluation.sizing).toBeNull();
    expect(evaluation.approved).toBe(false);
    const failed = evaluation.verdicts.filter((v) => !v.ok);
    expect(failed.map((v) => v.rule)).toEqual([
      "protective_stop",
      "reward_risk",
      "price_band",
      "stale_quote",
      "position_size",
      "max_position_notional",
      "buying_power",
      "sector_exposure",
      "daily_loss_budget",
      "exit_liquidity",
    ]);
    for (const v of failed) expect(v.detail).toMatch(/no (two-sided )?quote/);
  });

  test("RULES maps each name to its rule", () => {
    expect(Object.keys(RULES)).toEqual([...RULE_NAMES]);
    for (const rule of RULE_NAMES) expect(RULES[rule](BASE, null).rule).toBe(rule);
  });
});

describe("kill_switch", () => {
  test("passes without an emergency stop", () => expect(verdict("kill_switch").ok).toBe(true));
  test("fails while one is active, naming the reason and how to clear it", () => {
    expect(verdict("kill_switch", { book: { killSwitch: { reason: "broker outage" } } })).toEqual({
      rule: "kill_switch",
      ok: false,
      detail: "emergency stop active: broker outage; clear it with DELETE /api/v1/risk/emergency-stop",
    });
  });
});

describe("books_reconciled", () => {
  test("passes with no critical doctor issue open", () => expect(verdict("books_reconciled").ok).toBe(true));
  test("fails closed while one is open, naming it and what to do", () => {
    const v = verdict("books_reconciled", { book: { openCriticalIssues: ["phantom_position:position:7"] } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("phantom_position:position:7");
    expect(v.detail).toContain("catalyst doctor");
  });
  const silent = (changes: Partial<RiskInput["book"]["doctorSilence"]>, now = BASE.now) =>
    verdict("books_reconciled", { now, book: { doctorSilence: { ...BASE.book.doctorSilence, ...changes } } });
  test("fails closed when no sweep completed within the limit in the doctor's window, saying since when", () => {
    const v = silent({ lastSweepAgoMs: 661_000 });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("doctor silent since the last sweep completed at 2026-03-10T15:59:00.000Z");
    expect(v.detail).toContain("661 s");
  });
  test("passes at the limit, and while the watcher is younger than it (a fresh start)", () => {
    expect(silent({ lastSweepAgoMs: 660_000 }).ok).toBe(true);
    expect(silent({ lastSweepAgoMs: null, lastSweepAt: null, watchingForMs: 600_000 }).ok).toBe(true);
  });
  test("a doctor that never completed a sweep is silent once the watcher has waited the limit", () => {
    const v = silent({ lastSweepAgoMs: null, lastSweepAt: null, watchingForMs: 700_000 });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("no sweep has completed yet");
  });
  test("only the open window counts: 09:20 after a silent night passes, 09:27 does not", () => {
    const overnight = { lastSweepAgoMs: 17 * 3_600_000 };
    expect(silent(overnight, etInstant("2026-03-10", "09:20")).ok).toBe(true);
    expect(silent(overnight, etInstant("2026-03-10", "09:27")).ok).toBe(false);
    expect(silent(overnight, etInstant("2026-03-10", "16:30")).ok).toBe(true);
  });
  test("at a faster market clock the window's open time is converted to wall time", () => {
    // 09:45 at 60x: the window has been open 30 market minutes, 30 wall seconds.
    expect(silent({ lastSweepAgoMs: 3_600_000, limitMs: 61_000, marketSpeed: 60 }, etInstant("2026-03-10", "09:45")).ok).toBe(true);
    expect(silent({ lastSweepAgoMs: 3_600_000, limitMs: 61_000, marketSpeed: 60 }, etInstant("2026-03-10", "10:30")).ok).toBe(false);
  });
});

describe("daily_loss_halt", () => {
  test("passes below the limit: 1999.99 lost of 2000", () => {
    const v = verdict("daily_loss_halt", { account: { lastEquity: "101999.99" } });
    expect(v.ok).toBe(true);
    expect(v.detail).toBe("today's P&L is -$1999.99, 99.99% of the $2000.00 daily loss limit used");
  });
  test("fails at the limit: 2000 lost", () => {
    const v = verdict("daily_loss_halt", { account: { lastEquity: "102000" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("100% of the $2000.00");
  });
  test("fails when today's halt is recorded, even if the loss recovered", () => {
    const v = verdict("daily_loss_halt", { book: { halt: { reason: "daily loss $2000.00 reached at 11:02" } } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("daily loss $2000.00 reached at 11:02");
  });
});

describe("market_open", () => {
  test("passes while open", () => expect(verdict("market_open").ok).toBe(true));
  test("fails while closed", () => expect(verdict("market_open", { market: { isOpen: false } })).toMatchObject({ ok: false, detail: expect.stringContaining("closed") }));
});

describe("flatten_window", () => {
  const at = (date: string, hhmm: string, more: Overrides = {}) => verdict("flatten_window", { now: etInstant(date, hhmm), ...more });

  test("a regular day: entries until 15:44, refused from the 15:45 opening, saying when they resume", () => {
    expect(at("2026-03-10", "15:44")).toEqual({
      rule: "flatten_window",
      ok: true,
      detail: "the flatten window opens at 15:45 ET, 15 min before the 16:00 ET close; entries are taken until then",
    });
    expect(at("2026-03-10", "15:45")).toEqual({
      rule: "flatten_window",
      ok: false,
      detail:
        "the flatten window opened at 15:45 ET, 15 min before the 16:00 ET close: no new entries, positions are being brought flat; entries resume when the next session opens, 2026-03-11 at 09:30 ET",
    });
  });
  test("the last second before the close and after it are refused too", () => {
    expect(verdict("flatten_window", { now: etInstant("2026-03-10", "16:00") - 1_000 }).ok).toBe(false);
    expect(at("2026-03-10", "16:00")).toMatchObject({ ok: false, detail: expect.stringContaining("(the session has closed)") });
  });
  test("an early close (the day after Thanksgiving, 13:00): refused from 12:45, resuming on Monday", () => {
    expect(at("2026-11-27", "12:44")).toMatchObject({ ok: true, detail: expect.stringContaining("opens at 12:45 ET, 15 min before the 13:00 ET close") });
    expect(at("2026-11-27", "12:45")).toMatchObject({ ok: false, detail: expect.stringContaining("entries resume when the next session opens, 2026-11-30 at 09:30 ET") });
    expect(at("2026-11-27", "13:00").ok).toBe(false);
  });
  test("on a Friday entries resume on Monday; before a holiday, the day after it", () => {
    expect(at("2026-03-13", "15:50").detail).toContain("2026-03-16 at 09:30 ET");
    expect(at("2026-11-25", "15:50").detail).toContain("2026-11-27 at 09:30 ET");
  });
  test("the window follows TRADING_FLATTEN_MINUTES: 30 minutes opens at 15:30", () => {
    expect(at("2026-03-10", "15:29", { flattenWindowMinutes: 30 }).ok).toBe(true);
    expect(at("2026-03-10", "15:30", { flattenWindowMinutes: 30 })).toMatchObject({ ok: false, detail: expect.stringContaining("opened at 15:30 ET, 30 min before") });
  });
  test("no session, no window (market_open refuses then)", () => {
    expect(at("2026-11-26", "15:50")).toMatchObject({ ok: true, detail: "no session on 2026-11-26, so no flatten window" });
    expect(at("2026-03-14", "15:50").ok).toBe(true);
  });
  test("in the window it is the one rule refusing an otherwise good entry", () => {
    const evaluation = evaluateEntry(entry({ now: etInstant("2026-03-10", "15:50") }));
    expect(evaluation.verdicts.filter((v) => !v.ok).map((v) => v.rule)).toEqual(["flatten_window"]);
  });
});

describe("tradable", () => {
  test("passes for a tradable asset", () => expect(verdict("tradable")).toMatchObject({ ok: true, detail: "AAPL is tradable" }));
  test("fails when the account is blocked", () => {
    expect(verdict("tradable", { account: { tradingBlocked: true } })).toMatchObject({ ok: false, detail: expect.stringContaining("blocked") });
  });
  test("fails for an asset unknown to the broker", () => {
    expect(verdict("tradable", { market: { asset: null } })).toMatchObject({ ok: false, detail: expect.stringContaining("unknown to the broker") });
  });
  test("fails for an asset that is not tradable", () => {
    expect(verdict("tradable", { market: { asset: { tradable: false, shortable: true } } })).toMatchObject({ ok: false, detail: expect.stringContaining("not tradable") });
  });
  test("a short needs a shortable asset; a long does not", () => {
    const hardToBorrow = { asset: { tradable: true, shortable: false } };
    expect(verdict("tradable", { request: SHORT_REQUEST, market: hardToBorrow })).toMatchObject({ ok: false, detail: expect.stringContaining("cannot be sold short") });
    expect(verdict("tradable", { market: hardToBorrow }).ok).toBe(true);
    expect(verdict("tradable", { request: SHORT_REQUEST })).toMatchObject({ ok: true, detail: "AAPL is tradable and shortable" });
  });
});

describe("protective_stop", () => {
  test("a long passes with stop < entry < target", () => expect(verdict("protective_stop").ok).toBe(true));
  test("a long fails with the stop above the entry", () => {
    const v = verdict("protective_stop", { request: { stopLoss: "20.50" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe(
      "a long entry needs stop < entry < target: stop 20.50, entry 20.00, target 21.00; put the stop below and the target above the entry",
    );
  });
  test("a long fails with the target at the entry", () => expect(verdict("protective_stop", { request: { takeProfit: "20.00" } }).ok).toBe(false));
  test("a long fails with the stop at the entry", () => expect(verdict("protective_stop", { request: { stopLoss: "20.00" } }).ok).toBe(false));
  test("the entry is the reference, not the limit: an ask above the target fails", () => {
    expect(verdict("protective_stop", { request: { takeProfit: "20.50" }, market: { ask: "20.60" } }).ok).toBe(false);
  });
  test("a short passes with target < entry < stop", () => expect(verdict("protective_stop", { request: SHORT_REQUEST }).ok).toBe(true));
  test("a short fails with long-side prices", () => {
    const v = verdict("protective_stop", { request: { direction: "short" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("target < entry < stop");
  });
  test("a limit order without a quote is checked against its limit", () => {
    expect(verdict("protective_stop", { market: NO_QUOTE }).ok).toBe(true);
  });
  test("no quote and no limit fails", () => {
    expect(verdict("protective_stop", { request: MARKET_ORDER, market: NO_QUOTE })).toMatchObject({ ok: false, detail: expect.stringContaining("no quote for AAPL") });
  });
});

describe("reward_risk", () => {
  test("passes exactly at the minimum: 0.75 ÷ 0.50 = 1.50", () => {
    expect(verdict("reward_risk", { request: { takeProfit: "20.75" } })).toMatchObject({ ok: true, detail: expect.stringContaining("reward:risk is 1.50") });
  });
  test("fails a cent short of it: 0.74 ÷ 0.50 = 1.48", () => {
    const v = verdict("reward_risk", { request: { takeProfit: "20.74" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("reward:risk is 1.48");
    expect(v.detail).toContain("the minimum is 1.5");
  });
  test("short mirror: entry 19.99, stop 20.49 (0.50), target 19.24 (0.75) passes; 19.25 fails", () => {
    expect(verdict("reward_risk", { request: { ...SHORT_REQUEST, stopLoss: "20.49", takeProfit: "19.24" } }).ok).toBe(true);
    expect(verdict("reward_risk", { request: { ...SHORT_REQUEST, stopLoss: "20.49", takeProfit: "19.25" } }).ok).toBe(false);
  });
  test("fails when the stop equals the entry (no ratio)", () => {
    expect(verdict("reward_risk", { request: { stopLoss: "20.00" } })).toMatchObject({ ok: false, detail: expect.stringContaining("stop equals the entry") });
  });
  test("fails without a quote", () => expect(verdict("reward_risk", { request: MARKET_ORDER, market: NO_QUOTE }).ok).toBe(false));
});

describe("price_band", () => {
  const lastOnly = { bid: null, ask: null, last: "100.00" };
  test("a limit exactly 2 % from the last trade passes", () => {
    const v = verdict("price_band", { request: { limitPrice: "102.00" }, market: lastOnly });
    expect(v).toMatchObject({ ok: true, detail: "the limit 102.00 is 2.00% from the quote 100.00 (band 2%)" });
  });
  test("a cent further fails", () => {
    const v = verdict("price_band", { request: { limitPrice: "102.01" }, market: lastOnly });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe("the limit 102.01 is 2.01% from the quote 100.00 (band 2%); set the limit within 2% of 100.00");
  });
  test("below the quote counts the same: 97.99 fails, 98.00 passes", () => {
    expect(verdict("price_band", { request: { limitPrice: "98.00" }, market: lastOnly }).ok).toBe(true);
    expect(verdict("price_band", { request: { limitPrice: "97.99" }, market: lastOnly }).ok).toBe(false);
  });
  test("with both sides quoted the mid is compared: bid 99, ask 101 → mid 100", () => {
    expect(verdict("price_band", { request: { ...SHORT_REQUEST, limitPrice: "98.00" }, market: { bid: "99.00", ask: "101.00" } }).ok).toBe(true);
    expect(verdict("price_band", { request: { ...SHORT_REQUEST, limitPrice: "97.99" }, market: { bid: "99.00", ask: "101.00" } }).ok).toBe(false);
  });
  test("a market order passes with a spread of exactly 2 % of the mid", () => {
    const v = verdict("price_band", { request: MARKET_ORDER, market: { bid: "99.00", ask: "101.00" } });
    expect(v).toMatchObject({ ok: true, detail: "the spread 2.00 is 2.00% of the mid 100.000 (band 2%)" });
  });
  test("a market order fails with a wider spread", () => {
    expect(verdict("price_band", { request: MARKET_ORDER, market: { bid: "99.00", ask: "101.01" } }).ok).toBe(false);
  });
  test("a market order fails without both sides quoted, even with a last trade", () => {
    const v = verdict("price_band", { request: MARKET_ORDER, market: { bid: "19.99", ask: null } });
    expect(v).toMatchObject({ ok: false, detail: expect.stringContaining("no two-sided quote") });
  });
  test("a limit order fails with no quote at all", () => {
    expect(verdict("price_band", { market: NO_QUOTE })).toMatchObject({ ok: false, detail: expect.stringContaining("no quote for AAPL") });
  });
});

describe("position_size", () => {
  test("explains the sizing and the cap", () => {
    expect(verdict("position_size")).toEqual({
      rule: "position_size",
      ok: true,
      detail:
        "risk budget $1000.00 ÷ $0.50 per share → 2000 shares, capped at 497 by the $10000.00 position limit (sized for a price 0.5% worse, so a small move before the order is sent still fits)",
    });
  });
  test("without a cap it reports the budget alone", () => {
    expect(verdict("position_size", { limits: { maxPositionNotional: "100000", maxPositionPctEquity: "100" } }).detail).toBe(
      "risk budget $1000.00 ÷ $0.50 per share → 2000 shares",
    );
  });
  test("fails when the stop is wider than the budget", () => {
    const v = verdict("position_size", { account: { equity: "1000" }, request: { stopLoss: "5.00" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe("risk budget $10.00 ÷ $15.00 per share → 0 shares; move the stop closer to the entry or raise riskPerTradePct");
  });
  test("fails when one share is above the position limit", () => {
    const v = verdict("position_size", { limits: { maxPositionNotional: "19.99" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("capped at 0 by the $19.99 position limit");
  });
  test("fails when the stop equals the entry", () => {
    expect(verdict("position_size", { request: { stopLoss: "20.00" } })).toMatchObject({ ok: false, detail: expect.stringContaining("stop equals the entry price 20.00") });
  });
  test("an asked-for qty of 1 passes, 0 fails", () => {
    expect(verdict("position_size", { request: { qty: 1 } })).toMatchObject({ ok: true, detail: "1 share as requested" });
    expect(verdict("position_size", { request: { qty: 0 } }).ok).toBe(false);
  });
});

describe("exit_liquidity", () => {
  /** 100 shares a minute on average: 10 % of it over 15 minutes is 150 shares. */
  const THIN = { recentVolume: { sessions: 20, shares: 20 * 390 * 100, sessionMinutes: 20 * 390 } };

  test("a size risk chooses is capped at what can be exited, and position_size says so", () => {
    const evaluation = evaluateEntry(entry({ market: THIN }));
    expect(evaluation.approved).toBe(true);
    expect(evaluation.sizing).toMatchObject({ qty: 150, maxExitQty: 150, notional: "3000.00" });
    expect(evaluation.verdicts.find((v) => v.rule === "position_size")!.detail).toBe(
      "risk budget $1000.00 ÷ $0.50 per share → 2000 shares, capped at 497 by the $10000.00 position limit (sized for a price 0.5% worse, so a small move before the order is sent still fits), capped at 150 shares by what could be exited inside the flatten window (exit_liquidity)",
    );
    expect(evaluation.verdicts.find((v) => v.rule === "exit_liquidity")).toEqual({
      rule: "exit_liquidity",
      ok: true,
      detail: "at 10% of an average 100 shares a minute (the last 20 sessions), at most 150 shares can be exited inside the 15-minute flatten window; this entry is 150 shares",
    });
  });
  test("a requested size exactly at the largest exitable passes; one share more is refused, naming the largest", () => {
    expect(verdict("exit_liquidity", { market: THIN, request: { qty: 150 } }).ok).toBe(true);
    expect(verdict("exit_liquidity", { market: THIN, request: { qty: 151 } })).toEqual({
      rule: "exit_liquidity",
      ok: false,
      detail:
        "at 10% of an average 100 shares a minute (the last 20 sessions), at most 150 shares can be exited inside the 15-minute flatten window; this entry is 151 shares; reduce qty to at most 150 shares, or omit qty to be sized within it",
    });
  });
  test("the participation and the window are settings: 5 % → 75 shares, a 30-minute window → 300", () => {
    expect(verdict("exit_liquidity", { market: THIN, request: { qty: 76 }, exitParticipationPct: "5" }).detail).toContain("at most 75 shares");
    expect(verdict("exit_liquidity", { market: THIN, request: { qty: 300 }, flattenWindowMinutes: 30 }).ok).toBe(true);
  });
  test("an early close counts its 210 minutes in the average: 60,000 shares over 390 + 210 minutes is 100 a minute", () => {
    const mixed = { recentVolume: { sessions: 2, shares: 60_000, sessionMinutes: 600 } };
    expect(verdict("exit_liquidity", { market: mixed, request: { qty: 150 } })).toMatchObject({ ok: true, detail: expect.stringContaining("the last 2 sessions") });
  });
  test("without volume figures the entry is refused (risk sees everything or refuses)", () => {
    expect(verdict("exit_liquidity", { market: { recentVolume: null } })).toMatchObject({ ok: false, detail: expect.stringContaining("no recent daily volume is known for AAPL") });
  });
  test("a symbol too thin for one share: sized to 0, both rules refuse and say why", () => {
    // Half a share a minute: 10 % of it over 15 minutes is 0.75 → 0 shares.
    const dead = { recentVolume: { sessions: 20, shares: 3900, sessionMinutes: 20 * 390 } };
    const evaluation = evaluateEntry(entry({ market: dead }));
    expect(evaluation.sizing).toMatchObject({ qty: 0, maxExitQty: 0 });
    const failed = evaluation.verdicts.filter((v) => !v.ok);
    expect(failed.map((v) => v.rule)).toEqual(["position_size", "exit_liquidity"]);
    expect(failed[0]!.detail).toContain("trades too thinly for even one share");
    expect(failed[1]!.detail).toContain("choose a more liquid symbol");
  });
});

describe("max_position_notional", () => {
  test("exactly at the limit passes (500 × 20.00 = 10000.00)", () => {
    expect(verdict("max_position_notional", { request: { qty: 500 } }).ok).toBe(true);
  });
  test("a cent over fails, saying how many shares fit", () => {
    const v = verdict("max_position_notional", { request: { qty: 500 }, limits: { maxPositionNotional: "9999.99" } });
    expect(v.ok).toBe(false);
    expect(v.detail).toBe(
      "notional $10000.00 against a $9999.99 limit (the lesser of $9999.99 and 25% of equity $100000.00); reduce qty to at most 499 shares",
    );
  });
  test("the equity share limits too: 10 % of 100000 = 10000 passes, 9.99999 % fails", () => {
    const dollarsUnbound = { maxPositionNotional: "1000000" };
    expect(verdict("max_position_notional", { request: { qty: 500 }, limits: { ...dollarsUnbound, maxPositionPctEquity: "10" } }).ok).toBe(true);
    expect(verdict("max_position_notional", { request: { qty: 500 }, limits: { ...dollarsUnbound, maxPositionPctEquity: "9.99999" } }).ok).toBe(false);
  });
});

describe("buying_power", () => {
  test("exactly the notional passes", () => expect(verdict("buying_power", { account: { buyingPower: "10000.00" } }).ok).toBe(true));
  test("a cent less fails", () => {
    expect(verdict("buying_power", { request: { qty: 500 }, account: { buyingPower: "9999.99" } })).toEqual({
      rule: "buying_power",
      ok: false,
      detail: "notional $10000.00 against buying power $9999.99; reduce the size or free buying power",
    });
  });
});

describe("max_open_positions", () => {
  const symbols = (...names: string[]) => names.map((name) => exposure(name, "10", "50.00", { sector: null }));
  test("4 symbols + this entry = 5 of 5 passes", () => {
    expect(verdict("max_open_positions", { book: { exposures: symbols("A", "B", "C", "D") } })).toMatchObject({
      ok: true,
      detail: "4 symbols with a position or working entry + this entry = 5 of at most 5",
    });
  });
  test("5 symbols + this entry fails", () => {
    expect(verdict("max_open_positions", { book: { exposures: symbols("A", "B", "C", "D", "E") } }).ok).toBe(false);
  });
  test("working entries count, and a symbol counts once", () => {
    const exposures = [...symbols("A", "B", "C"), exposure("D", "10", "50.00", { kind: "working_entry" }), exposure("A", "5", "51.00", { kind: "working_entry" })];
    expect(verdict("max_open_positions", { book: { exposures } }).ok).toBe(true);
    expect(verdict("max_open_positions", { book: { exposures }, limits: { maxOpenPositions: 4 } }).ok).toBe(false);
  });
});

describe("duplicate_symbol", () => {
  test("passes with other symbols only", () => expect(verdict("duplicate_symbol", { book: { exposures: [exposure("MSFT", "1", "400")] } }).ok).toBe(true));
  test("fails with an open position in the symbol", () => {
    expect(verdict("duplicate_symbol", { book: { exposures: [exposure("AAPL", "10", "20")] } }).detail).toBe(
      "AAPL already has an open position; close or cancel it before entering again",
    );
  });
  test("fails with a working entry in the symbol", () => {
    const v = verdict("duplicate_symbol", { book: { exposures: [exposure("AAPL", "10", "20", { kind: "working_entry" })] } });
    expect(v).toMatchObject({ ok: false, detail: expect.stringContaining("a working entry") });
  });
});

describe("sector_exposure", () => {
  test("a symbol without a sector is limited in the unclassified bucket, which the verdict names", () => {
    const unclassified = [exposure("ZZZ", "60", "500.00", { sector: null }), exposure("MSFT", "1000", "400")];
    expect(verdict("sector_exposure", { request: { qty: 500 }, book: { sector: null, exposures: unclassified } })).toMatchObject({
      ok: true,
      detail: "the unclassified bucket (no sector is known for AAPL): $30000.00 held or working + $10000.00 this entry = $40000.00 against 40% of equity = $40000.00",
    });
    const over = [exposure("ZZZ", "1", "30000.01", { sector: null })];
    const v = verdict("sector_exposure", { request: { qty: 500 }, book: { sector: null, exposures: over } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("give AAPL its sector with `catalyst sectors import FILE.csv`");
  });
  test("unclassified exposure does not count against a classified sector", () => {
    expect(verdict("sector_exposure", { request: { qty: 500 }, book: { exposures: [exposure("ZZZ", "1", "30000.01", { sector: null })] } }).ok).toBe(true);
  });
  test("exactly 40 % of equity passes: 30000 held + 10000", () => {
    const exposures = [exposure("MSFT", "50", "400.00"), exposure("NVDA", "-100", "100.00", { direction: "short", kind: "working_entry" })];
    expect(verdict("sector_exposure", { request: { qty: 500 }, book: { exposures } })).toMatchObject({
      ok: true,
      detail: "sector TECH: $30000.00 held or working + $10000.00 this entry = $40000.00 against 40% of equity = $40000.00",
    });
  });
  test("a cent over fails", () => {
    const v = verdict("sector_exposure", { request: { qty: 500 }, book: { exposures: [exposure("MSFT", "1", "30000.01")] } });
    expect(v.ok).toBe(false);
    expect(v.detail).toContain("reduce the size or exit another TECH position");
  });
  test("other sectors do not count", () => {
    expect(verdict("sector_exposure", { book: { exposures: [exposure("XOM", "1000", "100", { sector: "ENERGY" })] } }).ok).toBe(true);
  });
});

describe("stale_quote", () => {
  const at11 = etInstant("2026-03-10", "11:00");
  test("a market entry with a quote exactly 60 s old passes, 61 s fails naming the age and the quote's time", () => {
    expect(verdict("stale_quote", { request: MARKET_ORDER, market: { quoteAt: at11 - 60_000 } }).ok).toBe(true);
    expect(verdict("stale_quote", { request: MARKET_ORDER, market: { quoteAt: at11 - 61_000 } })).toMatchObject({
      ok: false,
      detail:
        "the latest quote for AAPL is 61 s old (quoted at 2026-03-10T10:58:59-04:00); a market entry needs one at most 60 s old; " +
        "the symbol may be halted or the market closed: wait for a fresh quote or use a limit order",
    });
  });
  // 43 h, not 44: clocks went forward on that Sunday morning.
  test("Friday's closing quote on a Sunday refuses a market entry", () => {
    const sunday = etInstant("2026-03-08", "12:00");
    const v = verdict("stale_quote", { request: MARKET_ORDER, now: sunday, market: { isOpen: false, quoteAt: etInstant("2026-03-06", "16:00") } });
    expect(v).toMatchObject({ ok: false, detail: expect.stringContaining("is 154800 s old (quoted at 2026-03-06T16:00:00-05:00)") });
  });
  test("the limit is the configured one", () => {
    expect(verdict("stale_quote", { request: MARKET_ORDER, maxQuoteAgeSeconds: 5, market: { quoteAt: at11 - 6_000 } }).ok).toBe(false);
  });
  test("a market entry without a quote fails; a limit entry is not judged by the quote's age", () => {
    expect(verdict("stale_quote", { request: MARKET_ORDER, market: NO_QUOTE })).toMatchObject({ ok: false, detail: expect.stringContaining("no quote") });
    expect(verdict("stale_quote", { market: { quoteAt: at11 - 3_600_000 } }).ok).toBe(true);
  });
});

describe("max_trades_per_day", () => {
  test("19 entries of 20 passes", () => expect(verdict("max_trades_per_day", { book: { entriesToday: 19 } }).ok).toBe(true));
  test("20 entries of 20 fails", () => {
    expect(verdict("max_trades_per_day", { book: { entriesToday: 20 } })).toMatchObject({
      ok: false,
      detail: "20 entries today of at most 20; no more entries until the next trading day",
    });
  });
});

describe("daily_loss_budget", () => {
  test("1750 lost + 250 at risk = 2000 of 2000 passes", () => {
    expect(verdict("daily_loss_budget", { request: { qty: 500 }, account: { lastEquity: "101750" } })).toMatchObject({
      ok: true,
      detail: "if this and every open trade were stopped out, today's loss would be $2000.00 of the $2000.00 limit",
    });
  });
  test("a cent more lost fails, saying how much may still be risked", () => {
    expect(verdict("daily_loss_budget", { request: { qty: 500 }, account: { lastEquity: "101750.01" } }).detail).toBe(
      "if this and every open trade were stopped out, today's loss would be $2000.01 of the $2000.00 limit; reduce the size or tighten the stop to risk at most $249.99",
    );
  });
  test("a winning day does not add room beyond the limit", () => {
    const v = verdict("daily_loss_budget", { account: { lastEquity: "90000" }, request: { qty: 5000 } });
    // 5000 × 0.50 = 2500 at risk; today's gain does not offset it.
    expect(v).toMatchObject({ ok: false, detail: expect.stringContaining("$2500.00 of the $2000.00 limit") });
  });
  test("what open trades would still lose at their stops counts, so concurrent entries share one budget", () => {
    const open = [exposure("AAA", "100", "10", { riskToStop: "1000" }), exposure("BBB", "100", "10", { kind: "working_entry", riskToStop: "750" })];
    expect(verdict("daily_loss_budget", { request: { qty: 500 }, book: { exposures: open } })).toMatchObject({ ok: true, detail: expect.stringContaining("$2000.00 of") });
    const more = [...open, exposure("CCC", "1", "10", { riskToStop: "0.01" })];
    expect(verdict("daily_loss_budget", { request: { qty: 500 }, book: { exposures: more } })).toMatchObject({ ok: false, detail: expect.stringContaining("$2000.01 of") });
  });
});
