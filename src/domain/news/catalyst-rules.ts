/**
 * The catalyst rules: per type, a base weight (how much a typical such story moves a stock
 * intraday) and patterns over normalised text, each with its specificity (1 = unmistakable) and,
 * where the words say it, the event's direction for the named company.
 */

export const CATALYST_TYPES = [
  "fda",
  "merger_acquisition",
  "bankruptcy",
  "earnings",
  "guidance",
  "offering",
  "analyst",
  "legal",
  "contract",
  "partnership",
  "buyback",
  "product",
  "management",
  "dividend",
] as const;

export type CatalystType = (typeof CATALYST_TYPES)[number];

export function isCatalystType(value: string): value is CatalystType {
  return (CATALYST_TYPES as readonly string[]).includes(value);
}

export type Polarity = -1 | 0 | 1;

interface CatalystPattern {
  re: RegExp;
  /** Specificity 0…1 when it matches the headline. */
  weight: number;
  polarity?: Polarity;
}

export interface CatalystRule {
  type: CatalystType;
  base: number;
  patterns: readonly CatalystPattern[];
  /** Wording that announces rather than reports ("sets date for Q4 results"): multiplies the strength. */
  dampeners?: readonly { re: RegExp; factor: number }[];
}

const ESTIMATES = String.raw`(?:estimates?|expectations|consensus|forecasts?|views?)`;
const GUIDE = String.raw`(?:outlook|guidance|forecast|view)`;
/** Up to n characters within one clause: no ";" and no sentence-ending ". " (abbreviations like "U.S. Army" stay inside). */
const clause = (n: number) => String.raw`(?:[^.;]|\.(?! )|(?<=\b(?:[a-z]|inc|corp|co|ltd|mr|ms|dr|st|vs|no))\.){0,${n}}`;
const GAP = clause(40);
const NOT_AFTER_GUIDE = String.raw`(?<!\b${GUIDE}\b${clause(20)})`;
const BULLISH_RATING = String.raw`(?:buy|strong buy|outperform|overweight|accumulate)`;
const BEARISH_RATING = String.raw`(?:sell|underperform|underweight|reduce)`;
const re = (source: string) => new RegExp(source);

/** In priority order: on equal strength the earlier rule wins. */
export const CATALYST_RULES: readonly CatalystRule[] = [
  {
    type: "fda",
    base: 1,
    patterns: [
      { re: /\bfda approv(?:al|es|ed)\b|\bapproval from the fda\b|\bwins fda\b|\bfda (?:grants|clears)\b/, weight: 1, polarity: 1 },
      { re: /\bcomplete response letter\b|\bclinical hold\b/, weight: 1, polarity: -1 },
      { re: /\b(?:met|meets|achieved|achieves|hit|hits) (?:its |the )?(?:primary|main) endpoint\b/, weight: 1, polarity: 1 },
      { re: /\b(?:miss(?:es|ed)?|fail(?:s|ed)? to meet|did not meet) (?:its |the )?(?:primary|main) endpoint\b/, weight: 1, polarity: -1 },
      { re: /\bbreakthrough therapy\b|\bfast track designation\b|\borphan drug designation\b|\bpriority review\b/, weight: 0.9, polarity: 1 },
      { re: /\b(?:phase (?:1|2|3|i|ii|iii)|pivotal) (?:trial|study|data|results)\b|\btop-?line (?:data|results)\b/, weight: 0.85 },
      { re: /\bpdufa\b|\badvisory committee\b|\b(?:ema|chmp)\b/, weight: 0.8 },
      { re: /\bfda\b/, weight: 0.75 },
    ],
  },
  {
    type: "merger_acquisition",
    base: 0.95,
    patterns: [
      { re: /\bto be (?:acquired|bought|taken private) by\b/, weight: 1, polarity: 1 },
      { re: /\bper share in cash\b/, weight: 0.9, polarity: 1 },
      { re: /\b(?:walks?|walked) away from\b|\b(?:terminat(?:es|ed)|abandon(?:s|ed)?|scrap(?:s|ped)?) (?:the |its )?(?:proposed )?(?:merger|acquisition|deal|takeover)\b/, weight: 1, polarity: -1 },
      { re: /\bdefinitive (?:merger )?agreement\b|\b(?:agrees?|agreed) to (?:be )?(?:acquire|buy|merge)\b/, weight: 1 },
      { re: /\btakeover (?:talks|bid|offer|approach|interest)\b|\bbuyout (?:offer|talks|bid)\b|\btender offer\b/, weight: 0.95, polarity: 1 },
      { re: /\b(?:acquires?|acquired|acquiring|acquisition of|merger|merges? with|buyout|takeover|go-private|take-private)\b/, weight: 0.85 },
      { re: /\bacquisition\b|\bstrategic alternatives\b/, weight: 0.65 },
    ],
  },
  {
    type: "bankruptcy",
    base: 0.95,
    patterns: [
      { re: /\bchapter 11\b|\bbankruptcy\b|\binsolven(?:t|cy)\b/, weight: 1, polarity: -1 },
      { re: /\bgoing concern\b|\bdelist(?:ing|ed)?\b|\bdeficiency notice\b/, weight: 0.8, polarity: -1 },
    ],
  },
  {
    type: "earnings",
    base: 0.85,
    patterns: [
      { re: re(String.raw`\b(?:beat|beats|tops|topped|exceeds|exceeded|surpass(?:es|ed)?|crush(?:es|ed)?)\b${GAP}\b${ESTIMATES}\b`), weight: 1, polarity: 1 },
      { re: re(String.raw`\b(?:miss(?:es|ed)?|falls? short of|fell short of|trails?|trailed|lags?|lagged)\b${GAP}\b${ESTIMATES}\b`), weight: 1, polarity: -1 },
      // "raises outlook above consensus" compares guidance, not results.
      { re: re(String.raw`${NOT_AFTER_GUIDE}\b(?:above|ahead of|better than) (?:the )?(?:analysts'? )?${ESTIMATES}\b|\bbetter-than-expected\b`), weight: 0.9, polarity: 1 },
      { re: re(String.raw`${NOT_AFTER_GUIDE}\b(?:below|short of|worse than) (?:the )?(?:analysts'? )?${ESTIMATES}\b|\bworse-than-expected\b`), weight: 0.9, polarity: -1 },
      { re: re(String.raw`\bwider(?:-than-expected)? ${clause(20)}\bloss\b|\bloss widen(?:s|ed)?\b`), weight: 0.9, polarity: -1 },
      { re: re(String.raw`\bnarrower(?:-than-expected)? ${clause(20)}\bloss\b|\bnarrow(?:s|ed)? (?:its |the )?(?:net )?loss\b`), weight: 0.9, polarity: 1 },
      { re: re(String.raw`\b(?:q[1-4]|first-quarter|second-quarter|third-quarter|fourth-quarter|quarterly|fiscal|full-year)\b${clause(30)}\b(?:results|earnings|profit|loss|revenue|sales|eps)\b`), weight: 0.8 },
      { re: re(String.raw`\b(?:reports?|reported|posts?|posted)\b${clause(30)}\b(?:results|earnings|profit|loss|revenue|eps)\b`), weight: 0.75 },
      { re: /\bearnings\b|\beps\b|\bearnings per share\b/, weight: 0.6 },
    ],
    dampeners: [
      {
        re: re(String.raw`\b(?:sets?|schedules?|scheduled|announces?) (?:the )?(?:date|time)\b|\bto (?:report|release|announce)\b${GAP}\b(?:results|earnings)\b|\b(?:conference call|webcast)\b|\bearnings (?:release )?date\b`),
        factor: 0.3,
      },
    ],
  },
  {
    type: "guidance",
    base: 0.85,
    patterns: [
      { re: re(String.raw`\b(?:raise[sd]?|lifts?|lifted|boost(?:s|ed)?|increase[sd]?|hikes?|hiked|ups)\b${GAP}\b${GUIDE}\b`), weight: 1, polarity: 1 },
      { re: re(String.raw`\b(?:cuts?|cutting|lower(?:s|ed)?|slash(?:es|ed)?|reduce[sd]?|trims?|trimmed)\b${GAP}\b${GUIDE}\b`), weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:withdraws?|withdrew|suspends?|suspended|pulls?|pulled)\b${GAP}\b${GUIDE}\b`), weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:reaffirms?|reaffirmed|reiterates?|reiterated|maintains?|affirms?)\b${GAP}\b${GUIDE}\b`), weight: 0.6 },
      { re: re(String.raw`\b${GUIDE}\b`), weight: 0.55 },
    ],
  },
  {
    type: "offering",
    base: 0.75,
    patterns: [
      { re: /\b(?:public|secondary|follow-on|stock|share|equity|registered direct|underwritten|common stock) offering\b/, weight: 1, polarity: -1 },
      { re: re(String.raw`\bprices?\b${GAP}\boffering\b|\boffering of (?:common )?(?:stock|shares)\b`), weight: 1, polarity: -1 },
      { re: /\bat-the-market\b|\batm (?:program|offering)\b/, weight: 0.95, polarity: -1 },
      { re: /\bprivate placement\b|\bshelf registration\b|\bconvertible (?:senior )?notes\b/, weight: 0.85, polarity: -1 },
      { re: /\boffering\b|\bdilut(?:e|es|ed|ion|ive)\b/, weight: 0.6, polarity: -1 },
    ],
  },
  {
    type: "analyst",
    base: 0.7,
    patterns: [
      { re: /\bupgrade[sd]?\b/, weight: 1, polarity: 1 },
      { re: /\bdowngrade[sd]?\b/, weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:initiates?|initiated|resumes?|resumed|starts?|started|begins?)\b${GAP}\b(?:at|with an?) ${BULLISH_RATING}\b`), weight: 0.9, polarity: 1 },
      { re: re(String.raw`\b(?:initiates?|initiated|resumes?|resumed|starts?|started|begins?)\b${GAP}\b(?:at|with an?) ${BEARISH_RATING}\b`), weight: 0.9, polarity: -1 },
      { re: re(String.raw`\b(?:cuts?|lowers?|lowered|moves?)\b${GAP}\bto ${BEARISH_RATING}\b`), weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:raises?|raised|lifts?|moves?)\b${GAP}\bto ${BULLISH_RATING}\b`), weight: 1, polarity: 1 },
      { re: /\bprice target\b|\btarget (?:to|at|of) \$/, weight: 0.8 },
      { re: /\b(?:initiates?|initiated) coverage\b|\boutperform\b|\bunderperform\b|\boverweight\b|\bunderweight\b/, weight: 0.75 },
      { re: /\banalysts?\b/, weight: 0.4 },
    ],
  },
  {
    type: "legal",
    base: 0.65,
    patterns: [
      { re: re(String.raw`\b(?:sec|doj|ftc|department of justice|attorney general)\b${clause(20)}\b(?:investigation|probe|inquiry|charges|subpoena|lawsuit|complaint)\b`), weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:wins?|won|secures?|secured)\b${clause(20)}\b(?:dismissal|ruling|verdict|appeal)\b|\bfavorable (?:ruling|settlement|terms)\b`), weight: 1, polarity: 1 },
      { re: re(String.raw`\b(?:found|finds?|held)\b${clause(30)}\bliable\b|\bindict(?:ed|ment)\b`), weight: 1, polarity: -1 },
      { re: /\bclass action\b|\blawsuits?\b|\blitigation\b|\bsued\b|\bsues\b/, weight: 0.85, polarity: -1 },
      { re: /\b(?:jury|verdict|liable|settle[sd]?|settlement|subpoena|investigation|probe|antitrust|patent infringement|injunction)\b/, weight: 0.8 },
    ],
  },
  {
    type: "contract",
    base: 0.7,
    patterns: [
      { re: re(String.raw`\b(?:awarded|awards?|wins?|won|secures?|secured|lands?|landed)\b${GAP}\b(?:contract|order|award)\b`), weight: 1, polarity: 1 },
      { re: re(String.raw`\b(?:loses?|lost|terminat(?:es|ed)|cancels?|cancell?ed)\b${clause(30)}\b(?:contract|agreement|order)\b`), weight: 1, polarity: -1 },
      { re: /\b(?:supply|purchase|distribution|licensing|license|multi-year|multiyear|framework|offtake) (?:agreement|contract|deal)\b/, weight: 0.9, polarity: 1 },
      { re: re(String.raw`\bsigns?\b${GAP}\b(?:agreement|contract|deal)\b`), weight: 0.85, polarity: 1 },
      { re: /\bcontract\b|\btask order\b|\bpurchase order\b/, weight: 0.6 },
    ],
  },
  {
    type: "partnership",
    base: 0.55,
    patterns: [
      { re: /\b(?:partners?|partnered|teams? up|teamed up) with\b/, weight: 1, polarity: 1 },
      { re: /\b(?:strategic )?(?:partnership|collaboration|alliance|joint venture)\b/, weight: 0.9, polarity: 1 },
    ],
  },
  {
    type: "buyback",
    base: 0.5,
    patterns: [{ re: /\b(?:share|stock) (?:buyback|repurchase)\b|\bbuyback\b|\brepurchase (?:program|plan|authorization)\b/, weight: 1, polarity: 1 }],
  },
  {
    type: "product",
    base: 0.45,
    patterns: [
      { re: /\brecall(?:s|ed)?\b/, weight: 1, polarity: -1 },
      { re: /\b(?:launch(?:es|ed)?|unveil(?:s|ed)?|introduce[sd]?|debuts?|rolls? out|rolled out)\b/, weight: 0.9, polarity: 1 },
      { re: /\bnew (?:product|platform|model|service|device)\b/, weight: 0.7 },
    ],
  },
  {
    type: "management",
    base: 0.45,
    patterns: [
      { re: re(String.raw`\b(?:ceo|cfo|chief executive|chief financial officer)\b${clause(30)}\b(?:resigns?|resigned|steps down|to step down|departs?|ousted|fired)\b`), weight: 1, polarity: -1 },
      { re: re(String.raw`\b(?:names?|named|appoints?|appointed|hires?|hired|promotes?|promoted)\b${clause(30)}\b(?:ceo|cfo|coo|cto|chief [a-z]+ officer|president|chair(?:man|woman)?)\b`), weight: 1 },
      { re: /\b(?:resigns?|steps down|succession)\b/, weight: 0.7 },
    ],
  },
  {
    type: "dividend",
    base: 0.35,
    patterns: [
      { re: re(String.raw`\b(?:raises?|increases?|hikes?|boosts?)\b${clause(30)}\bdividend\b|\bspecial dividend\b`), weight: 1, polarity: 1 },
      { re: re(String.raw`\b(?:cuts?|suspends?|eliminates?|slashes)\b${clause(30)}\bdividend\b`), weight: 1, polarity: -1 },
      { re: /\bdividend\b/, weight: 0.8 },
    ],
  },
];
