/** An entry against every risk rule: all verdicts are returned, so a refusal lists every reason at once. */
import { RULES } from "./rules.ts";
import { maxExitQty, referencePrice, sizeEntry } from "./sizing.ts";
import { RULE_NAMES, type RiskEvaluation, type RiskInput } from "./types.ts";

export function evaluateEntry(input: RiskInput): RiskEvaluation {
  const reference = referencePrice(input.request, input.market);
  const maxExit = maxExitQty(input.market.recentVolume, input.exitParticipationPct, input.flattenWindowMinutes);
  const sizing = reference === null ? null : sizeEntry(input.request, input.limits, input.account, reference, maxExit);
  const verdicts = RULE_NAMES.map((rule) => RULES[rule](input, sizing));
  return { approved: verdicts.every((verdict) => verdict.ok), verdicts, sizing };
}
