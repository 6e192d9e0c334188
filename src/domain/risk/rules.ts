/**
 * The risk rules, one pure function each of the snapshot and the sizing. A verdict's detail is
 * one sentence with the numbers and, on failure, what to change: it is what the caller sees.
 */
import {
  absDecimal,
  addDecimal,
  compareDecimal,
  decimalFromNumber,
  maxDecimal,
  multiplyDecimal,
  roundDecimal,
  subtractDecimal,
  sumDecimal,
  type Decimal,
} from "../money.ts";
import { etDate, formatEt, nextTradingDay, session } from "../exchange-calendar.ts";
import { flattenWindowOf } from "../flatten-window.ts";
import { doctorSilentFor } from "../doctor/window.ts";
import { dailyLossStatus, lossToday } from "./daily-loss.ts";
import {
  asPercent,
  averageMinuteVolume,
  maxExitQty,
  percentOf,
  positionNotionalLimit,
  riskBudget,
  sharesWithinNotional,
  stopDistance,
  wholeShares,
} from "./sizing.ts";
import type { EntryRequest, RiskInput, RiskRule, RuleName, Sizing, Verdict } from "./types.ts";

/** Dollars to the cent, sign first: "-$1500.00". */
function usd(value: Decimal): string {
  const sign = compareDecimal(value, "0") < 0 ? "-" : "";
  return `${sign}$${roundDecimal(absDecimal(value), 2)}`;
}

function shares(count: number): string {
  return count === 1 ? "1 share" : `${count} shares`;
}

/** The facts, and on failure what to change. */
function verdict(rule: RuleName, ok: boolean, facts: string, fix?: string): Verdict {
  return { rule, ok, detail: ok || fix === undefined ? facts : `${facts}; ${fix}` };
}

function noQuote(rule: RuleName, request: EntryRequest): Verdict {
  return verdict(rule, false, `no quote for ${request.symbol}, so the entry has no price to check`, "retry when a quote is available or use a limit order");
}

export function checkKillSwitch({ book }: RiskInput): Verdict {
  return book.killSwitch
    ? verdict("kill_switch", false, `emergency stop active: ${book.killSwitch.reason}`, "clear it with DELETE /api/v1/risk/emergency-stop")
    : verdict("kill_switch", true, "no emergency stop is active");
}

/**
 * The doctor found the books and the broker disagreeing in a way that matters, or nothing is
 * checking them (its sweeps stopped completing in its window): no new risk until that is resolved.
 */
export function checkBooksReconciled({ book, now }: RiskInput): Verdict {
  const open = book.openCriticalIssues;
  if (open.length > 0) {
    return verdict("books_reconciled", false, `the doctor has ${open.length} critical issue(s) open (${open.slice(0, 3).join(", ")}${open.length > 3 ? ", …" : ""})`, "run `catalyst doctor` to see them; entries resume when the next sweep finds them resolved");
  }
  const silentMs = doctorSilentFor(now, book.doctorSilence);
  if (silentMs !== null) {
    const since = book.doctorSilence.lastSweepAt === null ? "no sweep has completed yet" : `the last sweep completed at ${book.doctorSilence.lastSweepAt}`;
    return verdict(
      "books_reconciled",
      false,
      `doctor silent since ${since}: nothing has checked the books against the broker for ${Math.round(silentMs / 1000)} s of its window (limit ${Math.round(book.doctorSilence.limitMs / 1000)} s)`,
      "check the doctor in the log (journalctl -u catalyst: \"doctor sweep\") and the database; entries resume after the next completed sweep (`catalyst doctor` runs one)",
    );
  }
  return verdict("books_reconciled", true, "no critical doctor issue is open and the doctor's sweeps are current");
}

export function checkDailyLossHalt({ account, limits, book }: RiskInput): Verdict {
  if (book.halt) {
    return verdict("daily_loss_halt", false, `new entries are halted for today: ${book.halt.reason}`, "entries resume on the next trading day");
  }
  const status = dailyLossStatus(account, limits);
  const facts = `today's P&L is ${usd(status.pnl)}, ${status.lossUsedPct}% of the ${usd(limits.maxDailyLoss)} daily loss limit used`;
  return verdict("daily_loss_halt", status.level !== "halt", facts, "new entries are halted until the next trading day");
}

export function checkMarketOpen({ market }: RiskInput): Verdict {
  return market.isOpen
    ? verdict("market_open", true, "the market is open")
    : verdict("market_open", false, "the market is closed", "enter while the market is open");
}

/** "15:45 ET" */
function etClock(epochMs: number): string {
  return `${formatEt(epochMs).slice(11, 16)} ET`;
}

/**
 * No new entries from the flatten window's opening (the close minus flattenWindowMinutes, early
 * closes too) to the end of that day: what is entered then could not be brought flat by the close.
 */
export function checkFlattenWindow({ now, flattenWindowMinutes }: RiskInput): Verdict {
  const window = flattenWindowOf(now, flattenWindowMinutes);
  if (!window) return verdict("flatten_window", true, `no session on ${etDate(now)}, so no flatten window`);
  const when = `the flatten window opens at ${etClock(window.opensAt)}, ${flattenWindowMinutes} min before the ${etClock(window.close)} close`;
  if (now < window.opensAt) return verdict("flatten_window", true, `${when}; entries are taken until then`);
  const next = session(nextTradingDay(etDate(now)))!;
  const facts = `${when.replace("opens", "opened")}${now >= window.close ? " (the session has closed)" : ""}: no new entries, positions are being brought flat`;
  return verdict("flatten_window", false, facts, `entries resume when the next session opens, ${next.date} at ${etClock(next.open)}`);
}

export function checkTradable({ request, market, account }: RiskInput): Verdict {
  const { symbol } = request;
  const short = request.direction === "short";
  if (account.tradingBlocked) {
    return verdict("tradable", false, "the broker account is blocked from trading", "resolve the block with the broker");
  }
  if (!market.asset) return verdict("tradable", false, `${symbol} is unknown to the broker`, "check the symbol");
  if (!market.asset.tradable) {
    return verdict("tradable", false, `${symbol} is not tradable at the broker (inactive or restricted)`, "choose another symbol");
  }
  if (short && !market.asset.shortable) {
    return verdict("tradable", false, `${symbol} cannot be sold short (not shortable or hard to borrow)`, "enter long or choose another symbol");
  }
  return verdict("tradable", true, `${symbol} is tradable${short ? " and shortable" : ""}`);
}

export function checkProtectiveStop({ request }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("protective_stop", request);
  const entry = sizing.referencePrice;
  const long = request.direction === "long";
  const [below, above] = long ? [request.stopLoss, request.takeProfit] : [request.takeProfit, request.stopLoss];
  const ok = compareDecimal(below, entry) < 0 && compareDecimal(entry, above) < 0;
  const order = long ? "stop < entry < target" : "target < entry < stop";
  const facts = `a ${request.direction} entry needs ${order}: stop ${request.stopLoss}, entry ${entry}, target ${request.takeProfit}`;
  const fix = `put the stop ${long ? "below" : "above"} and the target ${long ? "above" : "below"} the entry`;
  return verdict("protective_stop", ok, facts, fix);
}

export function checkRewardRisk({ request, limits }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("reward_risk", request);
  if (sizing.rewardRisk === null) {
    return verdict("reward_risk", false, `the stop equals the entry price ${sizing.referencePrice}, so there is no risk to weigh a reward against`, "move the stop away from the entry");
  }
  // The ratio as shown (2 dp) is the one judged, so the detail never contradicts the verdict.
  const ratio = sizing.rewardRisk.toFixed(2);
  const ok = compareDecimal(ratio, limits.minRewardRisk) >= 0;
  const facts = `reward:risk is ${ratio} (target ${request.takeProfit}, entry ${sizing.referencePrice}, stop ${request.stopLoss}); the minimum is ${limits.minRewardRisk}`;
  return verdict("reward_risk", ok, facts, "move the target further from the entry or the stop closer to it");
}

/** Whether `gap` is at most `bandPct` % of `mid`. */
function withinBand(gap: Decimal, mid: Decimal, bandPct: number): boolean {
  return compareDecimal(gap, percentOf(mid, decimalFromNumber(bandPct))) <= 0;
}

function midpoint(bid: Decimal, ask: Decimal): Decimal {
  return multiplyDecimal(addDecimal(bid, ask), "0.5");
}

export function checkPriceBand({ request, market, priceBandPct }: RiskInput): Verdict {
  const { bid, ask } = market;
  if (request.orderType === "market" || request.limitPrice === null) {
    if (bid === null || ask === null) {
      return verdict("price_band", false, `a market order needs a bid and an ask to check the spread, and ${request.symbol} has no two-sided quote`, "use a limit order or retry when both sides are quoted");
    }
    const mid = midpoint(bid, ask);
    const spread = subtractDecimal(ask, bid);
    const facts = `the spread ${spread} is ${asPercent(spread, mid)}% of the mid ${mid} (band ${priceBandPct}%)`;
    return verdict("price_band", withinBand(spread, mid, priceBandPct), facts, "use a limit order while the spread is this wide");
  }
  const mid = bid !== null && ask !== null ? midpoint(bid, ask) : market.last;
  if (mid === null) return noQuote("price_band", request);
  const gap = absDecimal(subtractDecimal(request.limitPrice, mid));
  const facts = `the limit ${request.limitPrice} is ${asPercent(gap, mid)}% from the quote ${mid} (band ${priceBandPct}%)`;
  return verdict("price_band", withinBand(gap, mid, priceBandPct), facts, `set the limit within ${priceBandPct}% of ${mid}`);
}

/**
 * A market entry fills at whatever the book shows when it arrives: the quote it was checked
 * against must be recent on the market's clock. An old one means a halt, a closed market, or a
 * symbol too thin to buy blind; a limit entry fills only at its limit and is not affected.
 */
export function checkStaleQuote({ request, market, now, maxQuoteAgeSeconds }: RiskInput): Verdict {
  if (request.orderType !== "market") return verdict("stale_quote", true, "a limit entry fills only at its limit, so the quote's age does not price it");
  if (market.quoteAt === null) return noQuote("stale_quote", request);
  const ageSeconds = Math.max(0, Math.floor((now - market.quoteAt) / 1000));
  const facts = `the latest quote for ${request.symbol} is ${ageSeconds} s old (quoted at ${formatEt(market.quoteAt)}); a market entry needs one at most ${maxQuoteAgeSeconds} s old`;
  return verdict("stale_quote", ageSeconds <= maxQuoteAgeSeconds, facts, "the symbol may be halted or the market closed: wait for a fresh quote or use a limit order");
}

export function checkPositionSize({ request, limits, account }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("position_size", request);
  const ok = sizing.qty >= 1;
  if (request.qty !== null) {
    return verdict("position_size", ok, `${shares(request.qty)} as requested`, "ask for at least 1 share, or omit qty to size from the stop");
  }
  const reference = sizing.referencePrice;
  const perShare = stopDistance(reference, request.stopLoss);
  if (compareDecimal(perShare, "0") === 0) {
    return verdict("position_size", false, `the stop equals the entry price ${reference}, so the risk budget sizes no shares`, "move the stop away from the entry");
  }
  const budget = riskBudget(limits, account, request.sizeMultiplier);
  const byRisk = wholeShares(budget, perShare);
  const cap = positionNotionalLimit(limits, account);
  const byNotional = sharesWithinNotional(cap, reference);
  const capped = byNotional < byRisk ? `, capped at ${byNotional} by the ${usd(cap)} position limit (sized for a price 0.5% worse, so a small move before the order is sent still fits)` : "";
  const byExit = sizing.maxExitQty;
  const exitCapped =
    byExit !== null && byExit < Math.min(byRisk, byNotional)
      ? `, capped at ${shares(byExit)} by what could be exited inside the flatten window (exit_liquidity)`
      : "";
  const facts = `risk budget ${usd(budget)} ÷ $${perShare} per share → ${shares(byRisk)}${capped}${exitCapped}`;
  const fix =
    byRisk === 0
      ? "move the stop closer to the entry or raise riskPerTradePct"
      : byNotional === 0
        ? `one share at ${reference} exceeds the ${usd(cap)} position limit; raise maxPositionNotional or maxPositionPctEquity`
        : `${request.symbol} trades too thinly for even one share to be exited inside the flatten window; choose a more liquid symbol`;
  return verdict("position_size", ok, facts, fix);
}

export function checkMaxPositionNotional({ request, limits, account }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("max_position_notional", request);
  const cap = positionNotionalLimit(limits, account);
  const ok = compareDecimal(sizing.notional, cap) <= 0;
  const facts = `notional ${usd(sizing.notional)} against a ${usd(cap)} limit (the lesser of ${usd(limits.maxPositionNotional)} and ${limits.maxPositionPctEquity}% of equity ${usd(account.equity)})`;
  return verdict("max_position_notional", ok, facts, `reduce qty to at most ${shares(wholeShares(cap, sizing.referencePrice))}`);
}

export function checkBuyingPower({ request, account }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("buying_power", request);
  const ok = compareDecimal(sizing.notional, account.buyingPower) <= 0;
  const facts = `notional ${usd(sizing.notional)} against buying power ${usd(account.buyingPower)}`;
  return verdict("buying_power", ok, facts, "reduce the size or free buying power");
}

export function checkMaxOpenPositions({ limits, book }: RiskInput): Verdict {
  // Working entries count too, so entries placed at the same time cannot overshoot the limit.
  const held = new Set(book.exposures.map((exposure) => exposure.symbol)).size;
  const facts = `${held} symbols with a position or working entry + this entry = ${held + 1} of at most ${limits.maxOpenPositions}`;
  return verdict("max_open_positions", held + 1 <= limits.maxOpenPositions, facts, "close a position or cancel a working entry first");
}

export function checkDuplicateSymbol({ request, book }: RiskInput): Verdict {
  const existing = book.exposures.find((exposure) => exposure.symbol === request.symbol);
  if (!existing) return verdict("duplicate_symbol", true, `no position or working entry in ${request.symbol}`);
  const what = existing.kind === "position" ? "an open position" : "a working entry";
  return verdict("duplicate_symbol", false, `${request.symbol} already has ${what}`, "close or cancel it before entering again");
}

/** The bucket of symbols without a known sector: limited like a sector, never exempt. */
export const UNCLASSIFIED_SECTOR = "unclassified";

export function checkSectorExposure({ request, limits, account, book }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("sector_exposure", request);
  const bucket = book.sector ?? UNCLASSIFIED_SECTOR;
  // Short quantities may arrive negative; exposure is the size either way.
  const held = sumDecimal(
    book.exposures
      .filter((exposure) => (exposure.sector ?? UNCLASSIFIED_SECTOR) === bucket)
      .map((exposure) => multiplyDecimal(absDecimal(exposure.qty), exposure.price)),
  );
  const total = addDecimal(held, sizing.notional);
  const cap = percentOf(account.equity, limits.maxSectorExposurePct);
  const name = book.sector === null ? `the ${UNCLASSIFIED_SECTOR} bucket (no sector is known for ${request.symbol})` : `sector ${bucket}`;
  const facts = `${name}: ${usd(held)} held or working + ${usd(sizing.notional)} this entry = ${usd(total)} against ${limits.maxSectorExposurePct}% of equity = ${usd(cap)}`;
  const fix =
    book.sector === null
      ? `reduce the size or exit another unclassified position; give ${request.symbol} its sector with \`catalyst sectors import FILE.csv\``
      : `reduce the size or exit another ${bucket} position`;
  return verdict("sector_exposure", compareDecimal(total, cap) <= 0, facts, fix);
}

export function checkMaxTradesPerDay({ limits, book }: RiskInput): Verdict {
  const facts = `${book.entriesToday} entries today of at most ${limits.maxTradesPerDay}`;
  return verdict("max_trades_per_day", book.entriesToday < limits.maxTradesPerDay, facts, "no more entries until the next trading day");
}

/**
 * The worst case stays inside the day's limit: what is lost so far, plus what every open position
 * and working entry would still lose at its stop, plus this trade's risk. Concurrent entries are
 * checked one at a time (the gate's lock), so together they cannot exceed it either.
 */
export function checkDailyLossBudget({ request, limits, account, book }: RiskInput, sizing: Sizing | null): Verdict {
  if (!sizing) return noQuote("daily_loss_budget", request);
  const lost = addDecimal(lossToday(account), sumDecimal(book.exposures.map((e) => e.riskToStop)));
  const worst = addDecimal(lost, sizing.riskUsd);
  const ok = compareDecimal(worst, limits.maxDailyLoss) <= 0;
  const room = maxDecimal("0", subtractDecimal(limits.maxDailyLoss, lost));
  const facts = `if this and every open trade were stopped out, today's loss would be ${usd(worst)} of the ${usd(limits.maxDailyLoss)} limit`;
  return verdict("daily_loss_budget", ok, facts, `reduce the size or tighten the stop to risk at most ${usd(room)}`);
}

/**
 * An entry must be small enough to be exited inside the flatten window at the fill model's
 * participation (exitParticipationPct of each minute's volume, the average minute of recent
 * sessions): otherwise the day could end with it still open.
 */
export function checkExitLiquidity({ request, market, flattenWindowMinutes, exitParticipationPct }: RiskInput, sizing: Sizing | null): Verdict {
  const volume = market.recentVolume;
  const maxExit = maxExitQty(volume, exitParticipationPct, flattenWindowMinutes);
  if (volume === null || maxExit === null) {
    return verdict("exit_liquidity", false, `no recent daily volume is known for ${request.symbol}, so whether it could be exited inside the ${flattenWindowMinutes}-minute flatten window is unknown`, "choose a symbol with trading history");
  }
  const qty = sizing?.qty ?? request.qty;
  if (qty === null) return noQuote("exit_liquidity", request);
  const facts =
    `at ${exitParticipationPct}% of an average ${averageMinuteVolume(volume)} shares a minute (the last ${volume.sessions} sessions), ` +
    `at most ${shares(maxExit)} can be exited inside the ${flattenWindowMinutes}-minute flatten window; this entry is ${shares(qty)}`;
  const fix = maxExit === 0 ? "choose a more liquid symbol" : `reduce qty to at most ${shares(maxExit)}, or omit qty to be sized within it`;
  return verdict("exit_liquidity", maxExit >= 1 && qty <= maxExit, facts, fix);
}

export const RULES: Record<RuleName, RiskRule> = {
  kill_switch: checkKillSwitch,
  books_reconciled: checkBooksReconciled,
  daily_loss_halt: checkDailyLossHalt,
  market_open: checkMarketOpen,
  flatten_window: checkFlattenWindow,
  tradable: checkTradable,
  protective_stop: checkProtectiveStop,
  reward_risk: checkRewardRisk,
  price_band: checkPriceBand,
  stale_quote: checkStaleQuote,
  position_size: checkPositionSize,
  max_position_notional: checkMaxPositionNotional,
  buying_power: checkBuyingPower,
  max_open_positions: checkMaxOpenPositions,
  duplicate_symbol: checkDuplicateSymbol,
  sector_exposure: checkSectorExposure,
  max_trades_per_day: checkMaxTradesPerDay,
  daily_loss_budget: checkDailyLossBudget,
  exit_liquidity: checkExitLiquidity,
};
