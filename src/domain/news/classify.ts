/**
 * Catalyst classification: every rule is tried on the headline and on the summary; the strongest
 * wins. strength = base(type) × specificity, where specificity is the best pattern's weight
 * (a summary-only match counts 0.6 of it), plus a little for corroborating patterns and for a
 * number in the headline ("$250 million", "12%"); never above 1.
 */
import { CATALYST_RULES, type CatalystRule, type CatalystType, type Polarity } from "./catalyst-rules.ts";
import { round4 } from "./sentiment.ts";
import { normalizeNewsText } from "./text.ts";

export const CLASSIFIER_VERSION = "catalyst-rules-v1";

export interface CatalystMatch {
  type: CatalystType;
  /** 0…1. */
  strength: number;
  /** What the matched words say the event means for the company: +1 good, −1 bad, 0 unsaid. */
  polarity: Polarity;
  /** The text that matched, for the audit. */
  terms: string[];
}

const SUMMARY_FACTOR = 0.6;
const CORROBORATION_BONUS = 0.1;
const MAX_CORROBORATIONS = 2;
const FIGURE_BONUS = 0.05;
/** "denies takeover talks", "no FDA approval": the event is reported as not happening. */
const NEGATED = /\b(?:no|not|denies|denied|deny|rejects|rejected|without)\s+(?:\S+\s+){0,2}$/;
const NEGATED_FACTOR = 0.7;
const FIGURE = /\$\s?\d|\d(?:\.\d+)?\s?%/;

interface Hit {
  term: string;
  weight: number;
  polarity: number;
}

function hitsIn(text: string, rule: CatalystRule, factor: number): Hit[] {
  const hits: Hit[] = [];
  for (const pattern of rule.patterns) {
    const match = pattern.re.exec(text);
    if (!match) continue;
    const negated = NEGATED.test(text.slice(Math.max(0, match.index - 40), match.index));
    const polarity = (pattern.polarity ?? 0) * (negated ? -1 : 1);
    hits.push({ term: match[0], weight: pattern.weight * factor * (negated ? NEGATED_FACTOR : 1), polarity });
  }
  return hits;
}

function evaluate(rule: CatalystRule, headline: string, summary: string, headlineHasFigure: boolean): CatalystMatch | null {
  const hits = [...hitsIn(headline, rule, 1), ...hitsIn(summary, rule, SUMMARY_FACTOR)];
  if (hits.length === 0) return null;
  const best = Math.max(...hits.map((h) => h.weight));
  const corroborations = Math.min(MAX_CORROBORATIONS, new Set(hits.map((h) => h.term)).size - 1);
  let specificity = best + CORROBORATION_BONUS * corroborations + (headlineHasFigure && hits.some((h) => headline.includes(h.term)) ? FIGURE_BONUS : 0);
  for (const dampener of rule.dampeners ?? []) {
    if (dampener.re.test(headline)) specificity *= dampener.factor;
  }
  const lean = hits.reduce((sum, h) => sum + h.weight * h.polarity, 0);
  return {
    type: rule.type,
    strength: round4(rule.base * Math.min(1, specificity), 0, 1),
    polarity: lean > 0 ? 1 : lean < 0 ? -1 : 0,
    terms: [...new Set(hits.map((h) => h.term))],
  };
}

/** The catalyst a story reports, or null when it reports none of the known kinds. */
export function classifyCatalyst(headline: string, summary = ""): CatalystMatch | null {
  const head = normalizeNewsText(headline);
  const body = normalizeNewsText(summary);
  const headlineHasFigure = FIGURE.test(head);
  let winner: CatalystMatch | null = null;
  for (const rule of CATALYST_RULES) {
    const match = evaluate(rule, head, body, headlineHasFigure);
    if (match && (!winner || match.strength > winner.strength)) winner = match;
  }
  return winner;
}
