/** Catalyst classification: realistic headlines per type, negations, noise, dedupe keys, and the venue's own news. */
import { describe, expect, test } from "bun:test";
import { tradingDaysBetween } from "../../src/domain/exchange-calendar.ts";
import type { CatalystType } from "../../src/domain/news/catalyst-rules.ts";
import { classifyCatalyst } from "../../src/domain/news/classify.ts";
import { dedupeKey } from "../../src/domain/news/dedupe.ts";
import { catalystDirection } from "../../src/domain/news/direction.ts";
import { normalizeNewsText } from "../../src/domain/news/text.ts";
import { type CatalystKind, SyntheticMarket } from "../../src/services/venue/market/market.ts";

/** [headline, summary, type, polarity] */
const CASES: [string, string, CatalystType, -1 | 0 | 1][] = [
  ["Nvidia (NVDA) beats Q3 estimates as data-center revenue doubles", "", "earnings", 1],
  ["Target misses quarterly earnings expectations; shares slide", "", "earnings", -1],
  ["Peloton reports narrower-than-expected fourth-quarter loss", "", "earnings", 1],
  ["Rivian posts wider loss than analysts expected", "", "earnings", -1],
  ["Moderna receives FDA approval for RSV vaccine mRESVIA", "", "fda", 1],
  ["Biogen gets complete response letter from FDA for lupus drug", "", "fda", -1],
  ["Sarepta says Phase 3 trial failed to meet its primary endpoint", "", "fda", -1],
  ["Vertex's pain drug met the primary endpoint in two pivotal studies", "", "fda", 1],
  ["Pfizer to acquire Seagen for $229 per share in cash", "The boards of both companies approved the deal.", "merger_acquisition", 1],
  ["Spirit Airlines to be acquired by JetBlue in $3.8 billion deal", "", "merger_acquisition", 1],
  ["JetBlue terminates merger agreement with Spirit", "", "merger_acquisition", -1],
  ["Acme denies takeover talks with rival", "", "merger_acquisition", -1],
  ["Snap cuts full-year revenue outlook on weak ad demand", "", "guidance", -1],
  ["Deckers raises fiscal 2025 guidance after strong holiday quarter", "", "guidance", 1],
  ["Boeing withdraws 2020 guidance, suspends dividend", "", "guidance", -1],
  ["AMC prices $500 million at-the-market equity offering", "", "offering", -1],
  ["Novavax announces proposed public offering of common stock", "", "offering", -1],
  ["Morgan Stanley upgrades Tesla to Overweight, price target $310", "", "analyst", 1],
  ["Goldman downgrades Intel to Sell, cuts price target to $18", "", "analyst", -1],
  ["JPMorgan initiates coverage of Palantir at Underweight", "", "analyst", -1],
  ["Meta hit with class action lawsuit over privacy practices", "", "legal", -1],
  ["SEC opens investigation into Super Micro Computer's accounting", "", "legal", -1],
  ["Apple wins dismissal of patent infringement lawsuit", "", "legal", 1],
  ["Jury finds Google liable in Epic antitrust case", "", "legal", -1],
  ["Palantir awarded $480 million U.S. Army contract", "", "contract", 1],
  ["Lockheed loses Air Force tanker contract to Boeing", "", "contract", -1],
  ["SoundHound partners with Nvidia on in-vehicle voice AI", "", "partnership", 1],
  ["Ford and SK On form battery joint venture", "", "partnership", 1],
  ["Apple unveils Vision Pro headset at WWDC", "", "product", 1],
  ["Tesla recalls 2 million vehicles over Autopilot defect", "", "product", -1],
  ["Starbucks names Brian Niccol chief executive officer", "", "management", 0],
  ["Intel CEO Pat Gelsinger steps down", "", "management", -1],
  ["Apple announces $110 billion share buyback", "", "buyback", 1],
  ["Costco declares $15 special dividend", "", "dividend", 1],
  ["WeWork files for Chapter 11 bankruptcy protection", "", "bankruptcy", -1],
];

describe("classifyCatalyst", () => {
  test.each(CASES)("%s → %s", (headline, summary, type, polarity) => {
    const match = classifyCatalyst(headline, summary);
    expect(match?.type).toBe(type);
    expect(match?.polarity).toBe(polarity);
    expect(match!.strength).toBeGreaterThan(0);
    expect(match!.strength).toBeLessThanOrEqual(1);
    expect(match!.terms.length).toBeGreaterThan(0);
  });

  test("noise is not a catalyst, or only a weak one", () => {
    for (const headline of [
      "Acme (ACME) to present at the Annual Growth Conference",
      "Acme (ACME) to hold annual meeting of shareholders",
      "Acme publishes annual sustainability report",
      "Stocks to watch this week",
    ]) {
      expect(classifyCatalyst(headline)).toBeNull();
    }
    // An earnings date announces results; it does not report them.
    const date = classifyCatalyst("Acme (ACME) sets date for Q4 2025 earnings release", "Acme will report results after the close and host a conference call.");
    expect(date?.type).toBe("earnings");
    expect(date!.strength).toBeLessThan(0.35);
    expect(classifyCatalyst("Acme (ACME) declares regular quarterly dividend")!.strength).toBeLessThan(0.4);
  });

  test("the strongest kinds outrank the weak ones, and a headline beats a summary", () => {
    const fda = classifyCatalyst("Acme wins FDA approval for ACM-101")!;
    const product = classifyCatalyst("Acme launches new app")!;
    expect(fda.strength).toBeGreaterThan(product.strength);
    expect(fda.strength).toBe(1);
    const inHeadline = classifyCatalyst("Acme awarded $250 million contract by the U.S. Army")!;
    const inSummary = classifyCatalyst("Acme shares active", "Acme was awarded a contract by the U.S. Army.")!;
    expect(inSummary.type).toBe("contract");
    expect(inHeadline.strength).toBeGreaterThan(inSummary.strength);
  });

  test("a company's name is not read as news: a SPAC called Acquisition is no merger", () => {
    expect(normalizeNewsText("Summit Acquisition (SMAC) names new chief financial officer")).toBe("the company names new chief financial officer");
    expect(classifyCatalyst("Summit Acquisition (SMAC) names new chief financial officer")?.type).toBe("management");
  });

  test("HTML and entities in feeds do not get in the way", () => {
    expect(classifyCatalyst("<p>Acme &amp; Co. upgrades Widget Corp (WDGT) to Buy</p>")?.type).toBe("analyst");
  });
});

describe("catalystDirection", () => {
  test("the event's polarity leads; sentiment confirms, tempers, or decides when the event says nothing", () => {
    expect(catalystDirection(0.8, 1, 0.5)).toEqual({ direction: "bullish", signedStrength: 0.64 });
    expect(catalystDirection(0.8, -1, -0.5).direction).toBe("bearish");
    // A downgrade in upbeat words is still a downgrade, only a weaker one.
    const tempered = catalystDirection(0.7, -1, 0.6);
    expect(tempered.direction).toBe("bearish");
    expect(tempered.signedStrength).toBeGreaterThan(-0.7 * 0.6);
    expect(catalystDirection(0.9, 0, 0.7).direction).toBe("bullish");
    expect(catalystDirection(0.9, 0, 0.05)).toEqual({ direction: "neutral", signedStrength: 0.045 });
  });
});

describe("dedupeKey", () => {
  const base = { source: "Benzinga", sourceId: 123 as string | number | null, headline: "Acme Beats Estimates!", publishedAt: "2026-03-10T13:05:00Z" };
  test("the feed's id when there is one: the same id is the same article whatever the text", () => {
    expect(dedupeKey(base)).toBe("benzinga:id:123");
    expect(dedupeKey({ ...base, headline: "Acme beats estimates (updated)" })).toBe(dedupeKey(base));
    expect(dedupeKey({ ...base, source: "other" })).not.toBe(dedupeKey(base));
  });
  test("otherwise the normalised headline and its day", () => {
    const noId = { ...base, sourceId: null };
    expect(dedupeKey(noId)).toBe("benzinga:headline:2026-03-10:acme beats estimates");
    expect(dedupeKey({ ...noId, headline: "  ACME beats   estimates " })).toBe(dedupeKey(noId));
    expect(dedupeKey({ ...noId, publishedAt: "2026-03-11T13:05:00Z" })).not.toBe(dedupeKey(noId));
  });
});

/** The venue's catalyst kinds in our vocabulary. */
const VENUE_KIND: Record<Exclude<CatalystKind, "general">, CatalystType> = {
  earnings: "earnings",
  fda: "fda",
  merger: "merger_acquisition",
  offering: "offering",
  analyst: "analyst",
  guidance: "guidance",
  contract: "contract",
  legal: "legal",
};

test("the simulated venue's news over 20 trading days: ≥ 90 % of catalysts classified as their kind, noise stays below the publish threshold", () => {
  const market = new SyntheticMarket(1);
  const days = tradingDaysBetween("2026-02-02", "2026-03-06").slice(0, 20);
  expect(days).toHaveLength(20);
  let catalysts = 0;
  let right = 0;
  let polarityRight = 0;
  let noise = 0;
  let noiseAboveThreshold = 0;
  for (const day of days) {
    for (const item of market.news(day)) {
      const match = classifyCatalyst(item.headline, item.summary);
      if (item.kind === "general") {
        noise++;
        if (match && match.strength >= 0.6) noiseAboveThreshold++;
        continue;
      }
      catalysts++;
      if (match?.type === VENUE_KIND[item.kind]) right++;
      if (match?.polarity === item.direction) polarityRight++;
    }
  }
  const rate = right / catalysts;
  console.log(`venue news, 20 days: ${catalysts} catalysts, kind right ${(rate * 100).toFixed(1)} %, event polarity right ${((polarityRight / catalysts) * 100).toFixed(1)} %; ${noise} noise items, ${noiseAboveThreshold} above 0.6`);
  expect(catalysts).toBeGreaterThan(200);
  expect(rate).toBeGreaterThanOrEqual(0.9);
  expect(noiseAboveThreshold).toBe(0);
});
