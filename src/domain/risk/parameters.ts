/**
 * Changing the risk parameters at run time, only within the hard bounds set in config: a change
 * can tighten a limit but never loosen one past its bound (raising a bound takes a restart).
 */
import { compareDecimal, isDecimal } from "../money.ts";
import type { RiskLimits } from "./types.ts";

type RiskField = keyof RiskLimits;

/** The environment variable that sets each field's hard bound. */
export const PARAMETER_BOUND_VARIABLES: Record<RiskField, string> = {
  maxOpenPositions: "RISK_MAX_OPEN_POSITIONS",
  maxPositionNotional: "RISK_MAX_POSITION_NOTIONAL",
  maxPositionPctEquity: "RISK_MAX_POSITION_PCT_EQUITY",
  maxDailyLoss: "RISK_MAX_DAILY_LOSS",
  dailyLossWarnPct: "RISK_MAX_DAILY_LOSS_WARN_PCT",
  maxSectorExposurePct: "RISK_MAX_SECTOR_EXPOSURE_PCT",
  minRewardRisk: "RISK_MIN_REWARD_RISK_FLOOR",
  maxTradesPerDay: "RISK_MAX_TRADES_PER_DAY",
  riskPerTradePct: "RISK_MAX_RISK_PER_TRADE_PCT",
};

const FIELDS = Object.keys(PARAMETER_BOUND_VARIABLES) as RiskField[];
const WHOLE_NUMBER_FIELDS: ReadonlySet<RiskField> = new Set(["maxOpenPositions", "maxTradesPerDay"]);
const PERCENT_FIELDS: ReadonlySet<RiskField> = new Set(["maxPositionPctEquity", "dailyLossWarnPct", "maxSectorExposurePct", "riskPerTradePct"]);
/** Fields whose bound is a floor (a lower value loosens them); every other bound is a ceiling. */
const FLOOR_FIELDS: ReadonlySet<RiskField> = new Set(["minRewardRisk"]);

export interface ParameterProblem {
  field: RiskField;
  message: string;
}

/** Why the value is malformed or not positive, or null when it is well formed. */
function valueProblem(field: RiskField, value: unknown): string | null {
  const shown = JSON.stringify(value);
  if (WHOLE_NUMBER_FIELDS.has(field)) {
    return Number.isInteger(value) && (value as number) > 0 ? null : `${field} must be a whole number above 0 (got ${shown})`;
  }
  if (typeof value !== "string" || !isDecimal(value)) return `${field} must be a decimal number such as "12.5" (got ${shown})`;
  if (compareDecimal(value, "0") <= 0) return `${field} must be above 0 (got ${value})`;
  if (PERCENT_FIELDS.has(field) && compareDecimal(value, "100") > 0) return `${field} is a percentage, at most 100 (got ${value})`;
  return null;
}

function boundProblem(field: RiskField, value: string, bound: string): string | null {
  const variable = PARAMETER_BOUND_VARIABLES[field];
  if (FLOOR_FIELDS.has(field)) {
    return compareDecimal(value, bound) >= 0
      ? null
      : `${field} must be at least ${bound}, the floor set by ${variable} (got ${value}); to go lower, set ${variable} and restart`;
  }
  return compareDecimal(value, bound) <= 0
    ? null
    : `${field} must be at most ${bound}, the hard bound set by ${variable} (got ${value}); to go higher, set ${variable} and restart`;
}

/** The first change that is malformed or outside its hard bound, or null when all may be applied. */
export function parameterChangesProblem(changes: Partial<RiskLimits>, bounds: RiskLimits): ParameterProblem | null {
  for (const field of FIELDS) {
    const value = changes[field];
    if (value === undefined) continue;
    const message = valueProblem(field, value) ?? boundProblem(field, String(value), String(bounds[field]));
    if (message !== null) return { field, message };
  }
  return null;
}

/** The limits with the given changes applied; unknown fields are ignored. */
export function applyParameterChanges(current: RiskLimits, changes: Partial<RiskLimits>): RiskLimits {
  const given = FIELDS.filter((field) => changes[field] !== undefined).map((field) => [field, changes[field]]);
  return { ...current, ...Object.fromEntries(given) };
}
