/**
 * Position sizing: the price the checks assume and how many shares the risk budget buys. Every
 * amount is exact decimal arithmetic; share counts round down so a size never exceeds its budget.
 */
import {
  absDecimal,
  compareDecimal,
  decimalFromNumber,
  divideDecimal,
  maxDecimal,
  minDecimal,
  multiplyDecimal,
  roundDecimal,
  subtractDecimal,
  type Decimal,
} from "../money.ts";
import type { AccountSnapshot, EntryRequest, MarketSnapshot, RecentVolume, RiskLimits, Sizing } from "./types.ts";

const CENTS = 2;
const RATIO_DIGITS = 2;
const PERCENT_DIGITS = 2;

/** pct % of value, exactly ("100000" at "1" % → "1000.00"). */
export function percentOf(value: Decimal, pct: Decimal): Decimal {
  return multiplyDecimal(value, multiplyDecimal(pct, "0.01"));
}

/** part as a percentage of whole, 2 dp half up, for details ("250", "1000" → "25.00"). */
export function asPercent(part: Decimal, whole: Decimal): Decimal {
  return divideDecimal(multiplyDecimal(part, "100"), whole, PERCENT_DIGITS, "half_up");
}

/**
 * The price the checks assume: the worse one for us. A market order fills at the far side of the
 * quote (last trade without one); a limit order at its limit, or at the far side if that is worse.
 */
export function referencePrice(request: EntryRequest, market: MarketSnapshot): Decimal | null {
  const long = request.direction === "long";
  const farSide = long ? market.ask : market.bid;
  if (request.orderType === "market" || request.limitPrice === null) return farSide ?? market.last;
  if (farSide === null) return request.limitPrice;
  return long ? maxDecimal(request.limitPrice, farSide) : minDecimal(request.limitPrice, farSide);
}

/** Dollars lost per share if the stop is hit. */
export function stopDistance(reference: Decimal, stopLoss: Decimal): Decimal {
  return absDecimal(subtractDecimal(reference, stopLoss));
}

/** Dollars the trade may lose: riskPerTradePct of equity, scaled by the cycle mode. */
export function riskBudget(limits: RiskLimits, account: AccountSnapshot, sizeMultiplier: Decimal): Decimal {
  return multiplyDecimal(percentOf(account.equity, limits.riskPerTradePct), sizeMultiplier);
}

/** The largest notional one position may have: the lesser of the dollar and the equity-share limit. */
export function positionNotionalLimit(limits: RiskLimits, account: AccountSnapshot): Decimal {
  return minDecimal(limits.maxPositionNotional, percentOf(account.equity, limits.maxPositionPctEquity));
}

/**
 * A size chosen here is checked again when the order is sent, at that moment's price: sized to the
 * cent of the position limit, a one-cent rise between preview and execute would refuse it. Sizing
 * assumes the price 0.5 % worse, so ordinary moves in between still fit.
 */
const SIZING_HEADROOM = "1.005";

/** Whole shares that fit under the position notional limit at `reference`, with the headroom above. */
export function sharesWithinNotional(cap: Decimal, reference: Decimal): number {
  return wholeShares(cap, multiplyDecimal(reference, SIZING_HEADROOM));
}

/** Whole shares of `perShare` that fit in `amount`, never negative (a negative equity buys none). */
export function wholeShares(amount: Decimal, perShare: Decimal): number {
  return Math.max(0, Number(divideDecimal(amount, perShare, 0, "floor")));
}

/** The share of a minute's volume an exit may take: the venue's fill model takes 10 % (src/services/venue/exchange/fill-model.ts). */
export const DEFAULT_EXIT_PARTICIPATION_PCT = "10";

/** Shares a minute trades on average in recent sessions, whole shares (half up), for details. */
export function averageMinuteVolume(volume: RecentVolume): Decimal {
  return divideDecimal(decimalFromNumber(volume.shares, 0), decimalFromNumber(volume.sessionMinutes, 0), 0, "half_up");
}

/**
 * The most whole shares that could be exited inside the flatten window, taking `participationPct`
 * % of the average minute volume each minute (the venue's fill model takes 10 % of a minute's
 * volume): floor(participation × shares ÷ minutes × window), exact. Null when no volume is known.
 */
export function maxExitQty(volume: RecentVolume | null, participationPct: Decimal, windowMinutes: number): number | null {
  if (!volume || volume.sessions === 0 || volume.sessionMinutes <= 0) return null;
  const perWindow = multiplyDecimal(percentOf(decimalFromNumber(volume.shares, 0), participationPct), decimalFromNumber(windowMinutes, 0));
  return wholeShares(perWindow, decimalFromNumber(volume.sessionMinutes, 0));
}

/**
 * The size: as requested, or the most shares the risk budget buys, capped by the position limit
 * and by what could be exited inside the flatten window (`maxExit`, null: no cap known).
 */
export function sizeEntry(request: EntryRequest, limits: RiskLimits, account: AccountSnapshot, reference: Decimal, maxExit: number | null = null): Sizing {
  const risk = stopDistance(reference, request.stopLoss);
  const reward = absDecimal(subtractDecimal(request.takeProfit, reference));
  const noStopDistance = compareDecimal(risk, "0") === 0;
  const qty =
    request.qty ??
    (noStopDistance
      ? 0
      : Math.min(
          wholeShares(riskBudget(limits, account, request.sizeMultiplier), risk),
          sharesWithinNotional(positionNotionalLimit(limits, account), reference),
          maxExit ?? Number.POSITIVE_INFINITY,
        ));
  const shares = String(qty);
  return {
    qty,
    maxExitQty: maxExit,
    referencePrice: reference,
    notional: roundDecimal(multiplyDecimal(shares, reference), CENTS),
    riskUsd: roundDecimal(multiplyDecimal(shares, risk), CENTS),
    rewardUsd: roundDecimal(multiplyDecimal(shares, reward), CENTS),
    rewardRisk: noStopDistance ? null : Number(divideDecimal(reward, risk, RATIO_DIGITS, "half_up")),
  };
}
