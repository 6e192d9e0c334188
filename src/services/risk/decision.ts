/** A risk evaluation as the contract's RiskDecision, and a refusal as the error a caller can act on. */
import type { Mode } from "../../config.ts";
import type { RiskDecision } from "../../contracts/risk.ts";
import type { EntryRequest, RiskEvaluation } from "../../domain/risk/types.ts";
import { ApiError } from "../../runtime/errors.ts";

export function riskDecision(mode: Mode, request: EntryRequest, evaluation: RiskEvaluation, now: number): RiskDecision {
  return {
    mode,
    approved: evaluation.approved,
    verdicts: evaluation.verdicts,
    sizing: evaluation.sizing,
    prices: { limitPrice: request.limitPrice, stopLoss: request.stopLoss, takeProfit: request.takeProfit },
    asOf: new Date(now).toISOString(),
  };
}

/** 422 risk_rejected: which rules failed and why, with every verdict in details. */
export function riskRejection(decision: RiskDecision): ApiError {
  const failed = decision.verdicts.filter((v) => !v.ok);
  const reasons = failed.map((v) => `${v.rule}: ${v.detail}`).join("; ");
  return new ApiError(422, "risk_rejected", `rejected by risk (${failed.map((v) => v.rule).join(", ")}): ${reasons}`, undefined, {
    verdicts: decision.verdicts,
    sizing: decision.sizing,
  });
}
