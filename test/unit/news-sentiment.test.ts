/** The finance lexicon: direction of realistic headlines, negation, intensity, calibration, and the venue's news. */
import { describe, expect, test } from "bun:test";
import { tradingDaysBetween } from "../../src/domain/exchange-calendar.ts";
import { LEXICON_MODEL, lexiconSentiment } from "../../src/domain/news/lexicon.ts";
import { labelOf } from "../../src/domain/news/sentiment.ts";
import { SyntheticMarket } from "../../src/services/venue/market/market.ts";

const POSITIVE = [
  "Nvidia beats third-quarter estimates as data-center revenue doubles",
  "Deckers raises full-year guidance after strong holiday demand",
  "Moderna wins FDA approval for RSV vaccine",
  "Morgan Stanley upgrades Tesla to Overweight",
  "Peloton reports narrower-than-expected quarterly loss",
  "Vertex drug met its primary endpoint in pivotal study",
  "Spirit Airlines to be acquired by JetBlue at a 38% premium",
  "Shares surge after record quarterly profit",
  "Company cuts costs, lifts margin forecast",
  "Acme wins dismissal of patent infringement lawsuit",
  "Settlement resolves all claims without any admission of wrongdoing",
];

const NEGATIVE = [
  "Target misses quarterly earnings expectations",
  "Snap cuts revenue outlook on weak ad demand",
  "Biogen receives complete response letter from FDA",
  "Goldman downgrades Intel to Sell",
  "Rivian reports wider-than-expected loss",
  "Trial fails to meet primary endpoint; shares plunge",
  "JetBlue walks away from Spirit deal",
  "AMC prices $500 million stock offering",
  "SEC opens investigation into accounting practices",
  "Boeing withdraws guidance and suspends dividend",
  "Tesla recalls 2 million vehicles",
  "Results were not strong enough to lift the shares",
];

const NEUTRAL = [
  "Acme to present at the Annual Growth Conference",
  "Acme sets date for fourth-quarter earnings release",
  "Acme to hold annual meeting of shareholders",
  "Acme declares regular quarterly dividend",
  "Acme publishes annual sustainability report",
  "What to watch in the markets this week",
];

describe("lexiconSentiment", () => {
  test.each(POSITIVE)("positive: %s", (headline) => {
    const s = lexiconSentiment(headline);
    expect(s.label).toBe("positive");
    expect(s.score).toBeGreaterThan(0);
  });

  test.each(NEGATIVE)("negative: %s", (headline) => {
    const s = lexiconSentiment(headline);
    expect(s.label).toBe("negative");
    expect(s.score).toBeLessThan(0);
  });

  test.each(NEUTRAL)("neutral: %s", (headline) => {
    expect(lexiconSentiment(headline).label).toBe("neutral");
  });

  test("'beats' is positive and 'misses' negative; negation flips, and a verb's object decides ('cuts costs' vs 'cuts outlook')", () => {
    expect(lexiconSentiment("Acme beats estimates").score).toBeGreaterThan(0.3);
    expect(lexiconSentiment("Acme misses estimates").score).toBeLessThan(-0.3);
    expect(lexiconSentiment("FDA approval").label).toBe("positive");
    expect(lexiconSentiment("no FDA approval").label).toBe("negative");
    expect(lexiconSentiment("Acme cuts costs").label).toBe("positive");
    expect(lexiconSentiment("Acme cuts outlook").label).toBe("negative");
    expect(lexiconSentiment("Acme narrowed its loss").label).toBe("positive");
    expect(lexiconSentiment("Acme's loss widened").label).toBe("negative");
  });

  test("evidence adds up and saturates; intensifiers and softeners scale; never beyond ±1", () => {
    const one = lexiconSentiment("Acme beats estimates").score;
    const two = lexiconSentiment("Acme beats estimates and raises guidance").score;
    const many = lexiconSentiment("Acme beats estimates, raises guidance, wins approval, shares surge to a record on strong demand").score;
    expect(two).toBeGreaterThan(one);
    expect(many).toBeGreaterThan(two);
    expect(many).toBeLessThanOrEqual(1);
    expect(lexiconSentiment("profit well above expectations").score).toBeGreaterThan(lexiconSentiment("profit above expectations").score);
    expect(lexiconSentiment("shares slightly lower").score).toBeGreaterThan(lexiconSentiment("shares lower").score);
  });

  test("confidence: high when the evidence agrees, lower when it is mixed; the model is named", () => {
    const clear = lexiconSentiment("Acme beats estimates, raises guidance, shares surge");
    const mixed = lexiconSentiment("Acme beats estimates but cuts guidance");
    expect(clear.confidence).toBeGreaterThan(0.8);
    expect(clear.confidence).toBeGreaterThan(mixed.confidence);
    for (const s of [clear, mixed, lexiconSentiment("")]) {
      expect(s.model).toBe(LEXICON_MODEL);
      expect(s.confidence).toBeGreaterThanOrEqual(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
      expect(s.label).toBe(labelOf(s.score));
    }
    expect(lexiconSentiment("")).toEqual({ score: 0, label: "neutral", confidence: 0.5, model: LEXICON_MODEL });
  });

  test("indications and company names are not sentiment: 'major depressive disorder', 'Acme Acquisition'", () => {
    expect(lexiconSentiment("Acme starts trial in major depressive disorder and metastatic breast cancer").label).toBe("neutral");
  });
});

test("the simulated venue's news over 20 trading days: lexicon direction matches the item's direction for ≥ 85 % of directional items", () => {
  const market = new SyntheticMarket(1);
  const days = tradingDaysBetween("2026-02-02", "2026-03-06").slice(0, 20);
  let directional = 0;
  let right = 0;
  let noise = 0;
  let noiseNeutral = 0;
  for (const day of days) {
    for (const item of market.news(day)) {
      const s = lexiconSentiment(`${item.headline}. ${item.summary}`);
      const sign = s.label === "positive" ? 1 : s.label === "negative" ? -1 : 0;
      if (item.direction === 0) {
        noise++;
        if (sign === 0) noiseNeutral++;
        continue;
      }
      directional++;
      if (sign === item.direction) right++;
    }
  }
  const rate = right / directional;
  console.log(`venue news, 20 days: lexicon direction right for ${(rate * 100).toFixed(1)} % of ${directional} directional items; ${((noiseNeutral / noise) * 100).toFixed(1)} % of ${noise} noise items neutral`);
  expect(directional).toBeGreaterThan(200);
  expect(rate).toBeGreaterThanOrEqual(0.85);
});
