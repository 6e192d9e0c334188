/**
 * Finance-lexicon sentiment: phrases before words, verb + object pairs ("cuts outlook", "cuts
 * costs"), negation ("no approval", "without wrongdoing") and intensifiers ("well above"). The
 * original's (pos − neg)/(pos + neg) gave ±1 for a single word and ignored all of that; here the
 * evidence adds up and saturates: score = tanh(Σ weights / 2).
 */
import {
  DIRECTIONAL_VERBS,
  INTENSIFIERS,
  NEGATION_FACTOR,
  NEGATION_WINDOW,
  NEGATORS,
  PHRASE_WEIGHTS,
  VERB_OBJECT_WEIGHT,
  VERB_OBJECT_WINDOW,
  VERB_OBJECTS,
  WORD_WEIGHTS,
} from "./lexicon-words.ts";
import { labelOf, round4, type Sentiment } from "./sentiment.ts";
import { normalizeNewsText, words } from "./text.ts";

export const LEXICON_MODEL = "lexicon-v1";

/** An intensifier reaches this many words ahead. */
const INTENSIFIER_WINDOW = 2;

interface Unit {
  weight: number;
  /** Words the unit spans. */
  length: number;
}

/** First word → its phrases, longest first. */
const PHRASES_BY_FIRST_WORD = (() => {
  const index = new Map<string, { words: string[]; weight: number }[]>();
  for (const [phrase, weight] of PHRASE_WEIGHTS) {
    const parts = phrase.split(" ");
    const list = index.get(parts[0]!) ?? [];
    list.push({ words: parts, weight });
    index.set(parts[0]!, list);
  }
  for (const list of index.values()) list.sort((a, b) => b.words.length - a.words.length);
  return index;
})();

function phraseAt(tokens: readonly string[], i: number): Unit | null {
  for (const phrase of PHRASES_BY_FIRST_WORD.get(tokens[i]!) ?? []) {
    if (phrase.words.every((word, k) => tokens[i + k] === word)) return { weight: phrase.weight, length: phrase.words.length };
  }
  return null;
}

function verbObjectAt(tokens: readonly string[], i: number): Unit | null {
  const verb = DIRECTIONAL_VERBS.get(tokens[i]!);
  if (verb === undefined) return null;
  for (let k = 1; k <= VERB_OBJECT_WINDOW && i + k < tokens.length; k++) {
    const object = VERB_OBJECTS.get(tokens[i + k]!);
    if (object !== undefined) return { weight: verb * object * VERB_OBJECT_WEIGHT, length: k + 1 };
  }
  return null;
}

function wordAt(tokens: readonly string[], i: number): Unit | null {
  const weight = WORD_WEIGHTS.get(tokens[i]!);
  return weight === undefined ? null : { weight, length: 1 };
}

/** The signed weight of every piece of evidence in the text, in order. */
function lexiconEvidence(text: string): number[] {
  const tokens = words(normalizeNewsText(text));
  const hits: number[] = [];
  let negatedThrough = -1;
  let boost = 1;
  let boostedThrough = -1;
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i]!;
    if (NEGATORS.has(token)) {
      negatedThrough = i + NEGATION_WINDOW;
      i++;
      continue;
    }
    const intensity = INTENSIFIERS.get(token);
    if (intensity !== undefined) {
      boost = intensity;
      boostedThrough = i + INTENSIFIER_WINDOW;
      i++;
      continue;
    }
    const unit = phraseAt(tokens, i) ?? verbObjectAt(tokens, i) ?? wordAt(tokens, i);
    if (!unit) {
      i++;
      continue;
    }
    let weight = unit.weight;
    if (i <= boostedThrough) {
      weight *= boost;
      boostedThrough = -1;
    }
    if (i <= negatedThrough) weight *= NEGATION_FACTOR;
    hits.push(weight);
    i += unit.length;
  }
  return hits;
}

export function lexiconSentiment(text: string): Sentiment {
  const hits = lexiconEvidence(text);
  const sum = hits.reduce((a, b) => a + b, 0);
  const mass = hits.reduce((a, b) => a + Math.abs(b), 0);
  const score = Math.tanh(sum / 2);
  const label = labelOf(score);
  // Agreement: do the pieces of evidence point the same way? Evidence: how much of it is there?
  const agreement = mass === 0 ? 0 : Math.abs(sum) / mass;
  const evidence = 1 - Math.exp(-mass);
  const confidence =
    mass === 0 ? 0.5 : label === "neutral" ? 0.5 + 0.3 * (1 - agreement) * evidence : 0.5 + 0.5 * agreement * evidence;
  return { score: round4(score), label, confidence: round4(confidence, 0, 1), model: LEXICON_MODEL };
}
