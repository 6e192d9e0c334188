/**
 * The finance lexicon, written for news headlines in the spirit of Loughran–McDonald: words that
 * are neutral in everyday English but carry direction in markets ("offering", "downgrade",
 * "dilutive"), and everyday "negative" words that are not ("cancer", "liability" in a company
 * description) left out. Weights: ±1 strong, ±0.7 ordinary, ±0.4 weak evidence.
 */

function group(weight: number, list: string): [string, number][] {
  return list.trim().split(/\s+/).map((word) => [word, weight]);
}

export const WORD_WEIGHTS: ReadonlyMap<string, number> = new Map([
  ...group(1, `beat beats beating tops topped surge surges surged surging soar soars soared soaring jump jumps jumped
    rally rallies rallied skyrocket skyrockets skyrocketed outperform outperforms outperformed upgrade upgrades upgraded
    approval approvals approved approves exceed exceeds exceeded exceeding blowout wins won breakthrough`),
  ...group(0.7, `gain gains gained rise rises rose rising climb climbs climbed grow grows grew growth strong stronger strongest
    robust profit profits profitable profitability raise raises raised lift lifts lifted boost boosts boosted improve improves
    improved improving improvement expand expands expanded expansion accelerate accelerates accelerated accelerating success
    successful successfully favorable favourable positive optimistic upbeat bullish buy overweight premium awarded win winning
    secures secured tailwind tailwinds upside recover recovers recovered rebound rebounds rebounded benefit benefits record
    momentum outpaced outpace largest best`),
  ...group(0.4, `settle settles settled settlement advance advances stable steady resilient confident confidence opportunity
    opportunities certainty contribute contributes merit`),
  ...group(-1, `miss misses missed plunge plunges plunged plunging plummet plummets plummeted crash crashes crashed tumble
    tumbles tumbled sink sinks sank slump slumps slumped downgrade downgrades downgraded underperform underperforms fraud
    bankruptcy bankrupt insolvency insolvent default defaults delist delisted delisting recall recalls recalled liable halt
    halts halted suspend suspends suspended suspension warn warns warned warning fail fails failed failure`),
  ...group(-0.7, `fall falls fell falling drop drops dropped decline declines declined declining weak weaker weakest weakness
    loss losses lose loses losing cut cuts cutting lower lowers lowered lowering reduce reduces reduced slash slashes slashed
    slow slows slowed slowing slowdown soft softer softness concern concerns worry worries worried lawsuit lawsuits litigation
    investigation investigations probe subpoena penalty penalties sue sues sued dilution dilute dilutes dilutive deteriorate
    deteriorates deteriorated deteriorating headwind headwinds disappoint disappoints disappointing disappointed negative
    pessimistic bearish sell underweight layoffs layoff impairment writedown shortfall delay delays delayed terminate
    terminates terminated termination withdraw withdraws withdrew withdrawn pause pauses paused downturn narrow narrows
    narrowed widen widens widened wider infringement wrongdoing violation violations overhang`),
  ...group(-0.4, `risk risks uncertain uncertainty volatile volatility pressure pressured challenging challenges inquiry claims
    restructuring fine fined appeal verdict costly expensive`),
]);

/**
 * Phrases (words joined by one space), matched before single words; a matched phrase's words are
 * not scored again, so "lower costs" is good news although "lower" alone is not.
 */
export const PHRASE_WEIGHTS: ReadonlyMap<string, number> = new Map([
  ...group(1.2, `better_than_expected met_its_primary_endpoint met_the_primary_endpoint meets_primary_endpoint
    breakthrough_therapy narrower_than_expected above_expectations above_estimates above_consensus above_the_consensus
    ahead_of_estimates ahead_of_expectations ahead_of_consensus ahead_of_the_consensus to_be_acquired`),
  ...group(0.8, `statistically_significant fast_track ahead_of_plan strong_demand stronger_demand narrower_loss narrows_loss
    lower_costs lower_expenses takeover_talks per_share_in_cash`),
  ...group(-1.2, `worse_than_expected wider_than_expected below_expectations below_estimates below_consensus below_the_consensus
    short_of_estimates short_of_expectations falls_short fell_short complete_response_letter clinical_hold walks_away
    walked_away class_action going_concern`),
  ...group(-0.8, `public_offering stock_offering share_offering equity_offering secondary_offering at_the_market_equity
    at_the_market_offering sell_shares margins_narrow margin_pressure softer_demand weaker_demand slowing_growth costs_rose
    higher_costs loss_widened wider_loss talks_ended hit_with`),
  ...group(-0.4, `higher_spending strategic_alternatives`),
].map(([phrase, weight]) => [phrase.replaceAll("_", " "), weight] as const));

/** Flip (and soften) the sentiment of the next few words: "not approved", "without wrongdoing", "ends all claims". */
export const NEGATORS: ReadonlySet<string> = new Set(
  `not no never without nor neither none cannot can't don't doesn't didn't won't isn't wasn't aren't weren't removes
   removed resolves resolved dismissal dismisses dismissed avoids avoided`.split(/\s+/),
);

/** Multiply the next sentiment word or phrase: "well above expectations", "slightly lower". */
export const INTENSIFIERS: ReadonlyMap<string, number> = new Map([
  ...group(1.5, `sharply significantly substantially strongly well much far sharp steep steeply massive huge dramatically
    record sizable`),
  ...group(0.5, `slightly modestly marginally somewhat mildly slight modest`),
]);

/**
 * A direction verb followed within a few words by one of these objects scores as one strong unit:
 * "raises 2026 revenue outlook" +, "cuts target" −, "cuts costs" + (the object's sign flips it).
 */
export const DIRECTIONAL_VERBS: ReadonlyMap<string, 1 | -1> = new Map([
  ...`raise raises raised lift lifts lifted boost boosts boosted increase increases increased hike hikes hiked widen widens
    widened`
    .split(/\s+/)
    .map((w) => [w, 1] as const),
  ...`cut cuts cutting lower lowers lowered slash slashes slashed reduce reduces reduced trim trims trimmed withdraws withdrew
    suspends suspended narrow narrows narrowed`
    .split(/\s+/)
    .map((w) => [w, -1] as const),
]);

export const VERB_OBJECTS: ReadonlyMap<string, 1 | -1> = new Map([
  ...`outlook guidance forecast forecasts target rating view dividend estimates expectations`.split(/\s+/).map((w) => [w, 1] as const),
  ...`costs cost expenses spending debt loss losses`.split(/\s+/).map((w) => [w, -1] as const),
]);
/** How far after the verb its object may stand ("raises full-year 2026 revenue outlook"). */
export const VERB_OBJECT_WINDOW = 4;
export const VERB_OBJECT_WEIGHT = 1.2;
/** How many words a negator reaches. */
export const NEGATION_WINDOW = 4;
/** A negated word counts this much, in the opposite direction. */
export const NEGATION_FACTOR = -0.8;
