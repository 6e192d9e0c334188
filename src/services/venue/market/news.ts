/**
 * News items for a trading day: one story per price-moving catalyst (published when the price
 * reacts) plus neutral noise items. Text is written from templates with the company's name and
 * numbers consistent with its price, in Benzinga's shape (HTML paragraphs in `content`).
 */
import type { TradingSession } from "../../../domain/exchange-calendar.ts";
import type { Catalyst, MovingKind } from "./catalysts.ts";
import { mix, Purpose, Rng } from "./rng.ts";
import type { CatalystKind, SimNews } from "./types.ts";
import type { AssetModel } from "./universe.ts";

/** A catalyst with what the story needs about the stock. */
export interface CatalystStory {
  readonly model: AssetModel;
  readonly catalyst: Catalyst;
  /** Previous regular close, for quoted prices (targets, deal terms). */
  readonly previousClose: number;
}

const SOURCE = "sim-benzinga";
const FIRST_NEWS_ID = 30_000_000;
const NEWS_IDS_PER_DAY = 1000;
/** Noise items appear from 04:00 to 18:00 ET. */
const NOISE_WINDOW_MINUTES = 14 * 60;

const AUTHORS = ["Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Tom Kessler", "Elena Vasquez", "Grace Liu", "Owen Baptiste", "Sim Newsdesk"];
const FIRMS = ["Halvorsen & Co.", "Brightwater Securities", "Kestrel Capital Markets", "Norwood Research", "Ashford Partners", "Lindqvist Brothers", "Pemberton Group", "Crane Street Advisors"];
const ACQUIRERS = ["Granite Peak Partners", "Sablewood Capital", "Halcyon Industries", "Ridgeline Holdings", "Northfield Group", "Blue Heron Equity"];
const CUSTOMERS = ["the U.S. Department of Defense", "a Fortune 500 retailer", "NASA", "the Department of Energy", "a major European automaker", "a top-five U.S. health system", "the U.S. Army", "a leading cloud provider"];
const INDICATIONS = ["non-small cell lung cancer", "relapsed multiple myeloma", "plaque psoriasis", "Duchenne muscular dystrophy", "type 2 diabetes", "major depressive disorder", "metastatic breast cancer", "hereditary angioedema", "ALS", "chronic kidney disease"];
const CONFERENCES = ["the Annual Growth Conference", "the Global Technology Summit", "the Healthcare Investor Forum", "the Midwest Industrials Conference", "the Consumer & Retail Conference"];

/** The facts a template may quote. */
interface Facts {
  readonly co: string;
  readonly sym: string;
  readonly price: string;
  readonly impactPct: number;
  readonly quarter: string;
  readonly year: number;
  readonly firm: string;
  readonly acquirer: string;
  readonly customer: string;
  readonly drug: string;
  readonly indication: string;
  readonly conference: string;
  readonly millions: number;
  readonly target: string;
  readonly offer: string;
  readonly growthPct: number;
}

interface Story {
  readonly headline: string;
  readonly summary: string;
}

type Template = (f: Facts) => Story;

const STORIES: Record<MovingKind, { readonly up: readonly Template[]; readonly down: readonly Template[] }> = {
  earnings: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) beats ${f.quarter} estimates; revenue rises ${f.growthPct}% year over year`, summary: `${f.co} reported ${f.quarter} revenue of $${f.millions} million, ahead of the consensus estimate, and raised its margin outlook.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) posts ${f.quarter} profit well above expectations`, summary: `${f.co} said ${f.quarter} earnings per share beat analysts' forecasts on stronger demand and lower costs.` }),
    ],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) misses ${f.quarter} estimates as margins narrow`, summary: `${f.co} reported ${f.quarter} revenue of $${f.millions} million, below the consensus estimate, as costs rose faster than sales.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) reports wider-than-expected ${f.quarter} loss`, summary: `${f.co} said its ${f.quarter} net loss widened on weaker orders and higher spending.` }),
    ],
  },
  fda: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) wins FDA approval for ${f.drug} in ${f.indication}`, summary: `The approval clears the way for ${f.co} to launch ${f.drug}, its lead program in ${f.indication}.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) says Phase 3 trial of ${f.drug} met its primary endpoint`, summary: `${f.co} said ${f.drug} showed a statistically significant benefit in ${f.indication} and plans to file for approval.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) receives FDA Breakthrough Therapy designation for ${f.drug}`, summary: `The designation may speed the review of ${f.drug} in ${f.indication}.` }),
    ],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) receives FDA complete response letter for ${f.drug}`, summary: `${f.co} said it will meet with the agency to discuss next steps for ${f.drug} in ${f.indication}.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) Phase 3 trial of ${f.drug} misses primary endpoint`, summary: `${f.co} said ${f.drug} failed to show a significant benefit over placebo in ${f.indication}.` }),
      (f) => ({ headline: `FDA places clinical hold on ${f.co} (${f.sym}) ${f.drug} program`, summary: `${f.co} paused dosing in its ${f.indication} studies while it answers the agency's questions.` }),
    ],
  },
  merger: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) to be acquired by ${f.acquirer} for $${f.offer} per share in cash`, summary: `The offer represents a ${f.impactPct}% premium to ${f.co}'s last close of $${f.price}; the boards of both companies approved the deal.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) confirms takeover talks with ${f.acquirer}`, summary: `${f.co} said discussions are ongoing and there is no certainty a transaction will result.` }),
    ],
    down: [
      (f) => ({ headline: `${f.acquirer} walks away from proposed acquisition of ${f.co} (${f.sym})`, summary: `${f.co} said it will continue to evaluate strategic alternatives after the talks ended.` }),
    ],
  },
  offering: {
    up: [],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) prices $${f.millions} million public offering of common stock`, summary: `${f.co} said it will use the net proceeds for general corporate purposes, including working capital.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) announces proposed $${f.millions} million stock offering`, summary: `The offering would dilute existing holders; ${f.co} said proceeds will fund operations.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) files for $${f.millions} million at-the-market equity program`, summary: `${f.co} may sell shares from time to time under the program.` }),
    ],
  },
  analyst: {
    up: [
      (f) => ({ headline: `${f.firm} upgrades ${f.co} (${f.sym}) to Buy, price target $${f.target}`, summary: `${f.firm} raised its rating on ${f.co}, setting a $${f.target} target against a last close of $${f.price}.` }),
      (f) => ({ headline: `${f.firm} initiates ${f.co} (${f.sym}) at Outperform with $${f.target} target`, summary: `${f.firm} began coverage of ${f.co}, citing an improving growth outlook.` }),
    ],
    down: [
      (f) => ({ headline: `${f.firm} downgrades ${f.co} (${f.sym}) to Underperform, cuts target to $${f.target}`, summary: `${f.firm} lowered its rating on ${f.co} from a last close of $${f.price}, citing slowing growth.` }),
      (f) => ({ headline: `${f.firm} cuts ${f.co} (${f.sym}) to Sell on valuation; target $${f.target}`, summary: `${f.firm} said the shares price in too much of the recovery.` }),
    ],
  },
  guidance: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) raises ${f.year} revenue outlook above consensus`, summary: `${f.co} now expects full-year ${f.year} revenue growth of about ${f.growthPct}%, up from its prior forecast.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) lifts full-year earnings guidance on strong demand`, summary: `${f.co} said orders in the current quarter are running ahead of plan.` }),
    ],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) cuts ${f.year} outlook, citing softer demand`, summary: `${f.co} now expects full-year ${f.year} revenue to fall about ${f.growthPct}%.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) withdraws full-year guidance`, summary: `${f.co} said visibility into the second half has deteriorated.` }),
    ],
  },
  contract: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) awarded $${f.millions} million contract by ${f.customer}`, summary: `The multi-year award is expected to contribute to revenue from next quarter.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) signs multi-year supply agreement with ${f.customer}`, summary: `${f.co} said the agreement is the largest in its history.` }),
    ],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) loses contract with ${f.customer}`, summary: `${f.co} said the termination will weigh on revenue in the coming quarters.` }),
    ],
  },
  legal: {
    up: [
      (f) => ({ headline: `${f.co} (${f.sym}) wins dismissal of patent infringement lawsuit`, summary: `${f.co} said the ruling removes a significant overhang on its business.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) settles litigation on favorable terms`, summary: `${f.co} said the settlement ends all claims without an admission of wrongdoing.` }),
    ],
    down: [
      (f) => ({ headline: `${f.co} (${f.sym}) discloses SEC investigation into its accounting`, summary: `${f.co} said it is cooperating fully with the inquiry.` }),
      (f) => ({ headline: `Jury finds ${f.co} (${f.sym}) liable in patent case, awards $${f.millions} million`, summary: `${f.co} said it intends to appeal the verdict.` }),
      (f) => ({ headline: `${f.co} (${f.sym}) hit with class action over disclosure claims`, summary: `${f.co} said it believes the claims are without merit.` }),
    ],
  },
};

const NOISE: readonly Template[] = [
  (f) => ({ headline: `${f.co} (${f.sym}) to present at ${f.conference}`, summary: `Management will host a fireside chat; a webcast will be available on the company's website.` }),
  (f) => ({ headline: `${f.co} (${f.sym}) sets date for ${f.quarter} earnings release`, summary: `${f.co} will report results after the market close and host a conference call.` }),
  (f) => ({ headline: `${f.co} (${f.sym}) declares regular quarterly dividend`, summary: `The dividend is unchanged from the prior quarter.` }),
  (f) => ({ headline: `${f.co} (${f.sym}) names new chief financial officer`, summary: `The appointment takes effect next month; the outgoing CFO will stay on as an adviser.` }),
  (f) => ({ headline: `${f.co} (${f.sym}) to hold annual meeting of shareholders`, summary: `Shareholders of record will be able to vote online.` }),
  (f) => ({ headline: `${f.co} (${f.sym}) publishes annual sustainability report`, summary: `The report details the company's emissions targets and governance practices.` }),
];

function money(value: number): string {
  return value >= 1 ? value.toFixed(2) : value.toFixed(4);
}

/** The quarter being reported: Q4 of last year in January–March, and so on. */
function reportedQuarter(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const quarter = Math.floor((month - 1) / 3);
  return quarter === 0 ? `Q4 ${year - 1}` : `Q${quarter} ${year}`;
}

function facts(rng: Rng, model: AssetModel, date: string, up: boolean, impact: number, previousClose: number): Facts {
  const drugCode = model.asset.symbol.slice(0, 3);
  return {
    co: model.shortName,
    sym: model.asset.symbol,
    price: money(previousClose),
    impactPct: Math.max(1, Math.round(impact * 108)),
    quarter: reportedQuarter(date),
    year: Number(date.slice(0, 4)),
    firm: rng.pick(FIRMS),
    acquirer: rng.pick(ACQUIRERS),
    customer: rng.pick(CUSTOMERS),
    drug: `${drugCode}-${100 + rng.int(900)}`,
    indication: rng.pick(INDICATIONS),
    conference: rng.pick(CONFERENCES),
    millions: 5 * (2 + rng.int(80)),
    target: money(previousClose * (up ? rng.between(1.2, 1.6) : rng.between(0.6, 0.85))),
    offer: money(previousClose * (1 + impact * 1.08)),
    growthPct: 3 + rng.int(25),
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80);
}

interface Draft {
  readonly createdAt: number;
  readonly model: AssetModel;
  readonly story: Story;
  readonly marketLine: string;
  readonly author: string;
  readonly kind: CatalystKind;
  readonly direction: 1 | -1 | 0;
  readonly impact: number;
}

function catalystDraft(story: CatalystStory, date: string, daySession: TradingSession): Draft {
  const { model, catalyst } = story;
  const rng = new Rng(mix(mix(model.key, Purpose.news), catalyst.day));
  const up = catalyst.direction === 1;
  const templates = STORIES[catalyst.kind][up ? "up" : "down"];
  const shares = `Shares of ${model.shortName}`;
  return {
    createdAt: daySession.preOpen + catalyst.minute * 60_000 + catalyst.second * 1000,
    model,
    story: rng.pick(templates)(facts(rng, model, date, up, catalyst.impact, story.previousClose)),
    marketLine: catalyst.premarket
      ? `${shares} were indicated ${up ? "higher" : "lower"} ahead of the open.`
      : `${shares} were ${up ? "rising" : "falling"} on the news.`,
    author: rng.pick(AUTHORS),
    kind: catalyst.kind,
    direction: catalyst.direction,
    impact: catalyst.impact,
  };
}

function noiseDrafts(seedKey: number, day: number, date: string, daySession: TradingSession, candidates: readonly AssetModel[]): Draft[] {
  if (candidates.length === 0) return [];
  const rng = new Rng(mix(mix(seedKey, Purpose.news), day));
  const count = 8 + rng.int(13);
  const drafts: Draft[] = [];
  for (let i = 0; i < count; i++) {
    const model = rng.pick(candidates);
    drafts.push({
      createdAt: daySession.preOpen + rng.int(NOISE_WINDOW_MINUTES) * 60_000 + rng.int(60) * 1000,
      model,
      story: rng.pick(NOISE)(facts(rng, model, date, true, 0, model.asset.basePrice)),
      marketLine: "",
      author: rng.pick(AUTHORS),
      kind: "general",
      direction: 0,
      impact: 0,
    });
  }
  return drafts;
}

/** The day's items, sorted by publish time, with ids increasing in that order. */
export function dayNews(
  seedKey: number,
  day: number,
  date: string,
  daySession: TradingSession,
  stories: readonly CatalystStory[],
  noiseCandidates: readonly AssetModel[],
): SimNews[] {
  const drafts = [
    ...stories.map((story) => catalystDraft(story, date, daySession)),
    ...noiseDrafts(seedKey, day, date, daySession, noiseCandidates),
  ].sort((a, b) => a.createdAt - b.createdAt || (a.model.asset.symbol < b.model.asset.symbol ? -1 : a.model.asset.symbol > b.model.asset.symbol ? 1 : 0));
  return drafts.map((draft, i) => {
    const id = FIRST_NEWS_ID + day * NEWS_IDS_PER_DAY + i;
    const { asset, shortName, sector } = draft.model;
    const about = `${shortName} (${asset.exchange}: ${asset.symbol}) is a ${sector.name.toLowerCase()} company.`;
    const paragraphs = [draft.story.summary, draft.marketLine, about].filter((p) => p !== "");
    return {
      id,
      createdAt: draft.createdAt,
      symbols: [asset.symbol],
      headline: draft.story.headline,
      summary: draft.story.summary,
      content: paragraphs.map((p) => `<p>${p}</p>`).join(""),
      author: draft.author,
      source: SOURCE,
      url: `https://news.sim.catalyst/${date}/${id}-${slug(draft.story.headline)}`,
      kind: draft.kind,
      direction: draft.direction,
      impact: draft.impact,
    };
  });
}
