/**
 * The listed universe: company names, tickers derived from them, exchanges, sectors, and the
 * per-symbol parameters the price and volume models run on. Built once per seed, in one stream.
 */
import { deterministicUuid } from "../exchange/ids.ts";
import { roundToTick } from "./price.ts";
import { hashString, mix, Purpose, Rng } from "./rng.ts";
import type { ListingExchange, SimAsset } from "./types.ts";

/** The common market factor every symbol loads on (daily log-return st.dev. and drift). */
export const MARKET_VOLATILITY = 0.0095;
export const MARKET_DRIFT = 0.00035;

/** Price-moving catalysts per trading day across the whole universe, on average. */
const CATALYSTS_PER_DAY = 45;
/** Share of listings that are inactive / not tradable (Alpaca lists some of those too). */
const NON_TRADABLE_SHARE = 0.024;
const ETF_SHARE = 0.06;

export interface AssetModel {
  readonly asset: SimAsset;
  /** Stream key of this symbol under this seed. */
  readonly key: number;
  /** "Veltrix Therapeutics": the name headlines use. */
  readonly shortName: string;
  readonly sector: Sector;
  readonly isEtf: boolean;
  /** Idiosyncratic log drift per day. */
  readonly drift: number;
  readonly beta: number;
  /** Daily st.dev. of the idiosyncratic part; with beta × MARKET_VOLATILITY it makes dailyVolatility. */
  readonly idiosyncraticVolatility: number;
  /** Expected price-moving catalysts per trading day. */
  readonly catalystRate: number;
  /** Average shares per trade. */
  readonly tradeSize: number;
  /** Pre-market volume on a quiet day, as a share of the average daily volume. */
  readonly premarketShare: number;
}

export interface Sector {
  readonly name: string;
  readonly weight: number;
  /** Relative volatility and typical market beta of the sector's stocks. */
  readonly volatility: number;
  readonly beta: number;
  readonly nouns: readonly string[];
  readonly etfTheme: string;
}

const SECTORS: readonly Sector[] = [
  { name: "Health Care", weight: 20, volatility: 1.5, beta: 0.9, etfTheme: "Health Care", nouns: ["Biotech", "Therapeutics", "Pharmaceuticals", "Biosciences", "Medical", "Health", "Genomics", "Diagnostics", "Oncology", "Bio"] },
  { name: "Financials", weight: 17, volatility: 0.8, beta: 1.1, etfTheme: "Financials", nouns: ["Bancorp", "Financial", "Capital", "Bankshares", "Insurance", "Trust", "Acquisition", "Credit", "Partners", "Asset Management"] },
  { name: "Information Technology", weight: 15, volatility: 1.15, beta: 1.25, etfTheme: "Technology", nouns: ["Software", "Systems", "Technologies", "Semiconductor", "Networks", "Data", "Micro", "Cloud", "Digital", "Labs"] },
  { name: "Industrials", weight: 11, volatility: 0.9, beta: 1.05, etfTheme: "Industrials", nouns: ["Industries", "Aerospace", "Logistics", "Machinery", "Engineering", "Freight", "Defense", "Electric", "Manufacturing", "Air"] },
  { name: "Consumer Discretionary", weight: 10, volatility: 1.1, beta: 1.15, etfTheme: "Consumer", nouns: ["Brands", "Retail", "Motors", "Apparel", "Restaurants", "Homes", "Leisure", "Outdoor", "Auto", "Stores"] },
  { name: "Energy", weight: 5, volatility: 1.2, beta: 0.9, etfTheme: "Energy", nouns: ["Energy", "Petroleum", "Oil & Gas", "Resources", "Midstream", "Drilling", "Solar", "Renewables"] },
  { name: "Materials", weight: 5, volatility: 1.1, beta: 1.0, etfTheme: "Materials", nouns: ["Materials", "Chemicals", "Mining", "Metals", "Steel", "Gold", "Minerals", "Packaging", "Lithium"] },
  { name: "Real Estate", weight: 5, volatility: 0.8, beta: 0.85, etfTheme: "Real Estate", nouns: ["Realty", "Properties", "REIT", "Residential", "Land", "Office Trust", "Storage"] },
  { name: "Communication Services", weight: 4, volatility: 1.1, beta: 1.05, etfTheme: "Communications", nouns: ["Media", "Communications", "Entertainment", "Interactive", "Telecom", "Studios", "Broadcasting", "Wireless"] },
  { name: "Consumer Staples", weight: 4, volatility: 0.7, beta: 0.6, etfTheme: "Staples", nouns: ["Foods", "Beverage", "Farms", "Consumer Products", "Grocers", "Nutrition", "Household"] },
  { name: "Utilities", weight: 3, volatility: 0.6, beta: 0.5, etfTheme: "Utilities", nouns: ["Power", "Utilities", "Water", "Gas & Electric", "Energy Services"] },
];

const PLAIN_ROOTS = [
  "Apex", "Summit", "Harbor", "Pioneer", "Granite", "Cedar", "Beacon", "Atlas", "Meridian", "Northstar",
  "Bluewater", "Ironwood", "Silverline", "Keystone", "Horizon", "Evergreen", "Liberty", "Pinnacle", "Sterling",
  "Crescent", "Falcon", "Redwood", "Sequoia", "Aurora", "Cobalt", "Quantum", "Vertex", "Nova", "Orion",
  "Vanguard", "Frontier", "Cascade", "Prairie", "Lakeshore", "Riverbend", "Highland", "Coastal", "Union",
  "Patriot", "Heritage", "Magnolia", "Juniper", "Osprey", "Tidewater", "Copperline", "Clearwater", "Stonebridge",
  "Westfield", "Eastgate", "Lumen", "Zenith", "Polaris", "Helix", "Nimbus", "Solstice", "Sierra", "Everest", "Mesa",
  "Acme", "Bristol", "Canyon", "Delta", "Ember", "Fairview", "Glacier", "Hudson", "Ivory", "Jasper", "Kingsley",
];
const ONSETS = ["B", "C", "D", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "V", "Z", "Br", "Cr", "Dr", "Gr", "Pr", "Tr", "St", "Cl", "Fl", "Pl", "Qu", "Th", "Ch", "Sh"];
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "io"];
const ENDINGS = ["rix", "nex", "lon", "vara", "tica", "dyne", "lia", "nova", "tek", "gen", "vant", "nix", "ros", "mont", "dale", "ra", "ta", "na", "lis", "ven", "dex", "max", "tron", "sys", "cor", "via", "nta", "xa"];
const LEGAL_SUFFIXES = ["Inc.", "Inc.", "Inc.", "Corp.", "Holdings, Inc.", "Group, Inc.", "Ltd.", "Co."];

const TICKER_LENGTHS: Record<ListingExchange, readonly (readonly [number, number])[]> = {
  NYSE: [[1, 1], [2, 6], [3, 55], [4, 38]],
  NASDAQ: [[3, 20], [4, 75], [5, 5]],
  AMEX: [[3, 50], [4, 50]],
  ARCA: [[3, 60], [4, 40]],
};
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function inventedRoot(rng: Rng): string {
  let root = rng.pick(ONSETS) + rng.pick(VOWELS);
  if (rng.chance(0.45)) root += rng.pick(ONSETS).toLowerCase() + rng.pick(VOWELS);
  return root + rng.pick(ENDINGS);
}

function companyRoot(rng: Rng): string {
  return rng.chance(0.3) ? rng.pick(PLAIN_ROOTS) : inventedRoot(rng);
}

/** Ticker candidates that read like the name (ACMB for Acme Biotech), then random ones. */
function* tickerCandidates(rng: Rng, root: string, noun: string, length: number): Generator<string> {
  const rootLetters = root.toUpperCase().replace(/[^A-Z]/g, "");
  const nameLetters = rootLetters + noun.toUpperCase().replace(/[^A-Z]/g, "");
  const first = rootLetters.slice(0, 1);
  yield rootLetters.slice(0, length);
  yield (first + rootLetters.slice(1).replace(/[AEIOU]/g, "")).slice(0, length);
  yield rootLetters.slice(0, length - 1) + noun.charAt(0).toUpperCase();
  for (let attempt = 0; attempt < 24; attempt++) {
    // An ordered pick of the name's letters, keeping its initial.
    let ticker = first;
    for (let i = 1; i < nameLetters.length && ticker.length < length; i++) {
      const left = nameLetters.length - i;
      if (rng.next() < (length - ticker.length) / left) ticker += nameLetters.charAt(i);
    }
    yield ticker;
  }
  for (;;) {
    let ticker = "";
    while (ticker.length < length) ticker += LETTERS.charAt(rng.int(26));
    yield ticker;
  }
}

function uniqueTicker(rng: Rng, taken: Set<string>, root: string, noun: string, exchange: ListingExchange): string {
  let length = rng.weighted(TICKER_LENGTHS[exchange]);
  for (;;) {
    let tries = 0;
    for (const candidate of tickerCandidates(rng, root, noun, length)) {
      if (candidate.length === length && !taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
      if (++tries > 400) break;
    }
    length = Math.min(5, length + 1); // short tickers run out; longer ones never do
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

interface Draft extends Omit<AssetModel, "catalystRate" | "asset" | "key"> {
  readonly asset: Omit<SimAsset, "id">;
  readonly rawCatalystWeight: number;
}

function draftAsset(rng: Rng, taken: Set<string>, takenNames: Set<string>, tradable: boolean): Draft {
  const isEtf = rng.chance(ETF_SHARE);
  const sector = rng.weighted(SECTORS.map((s) => [s, s.weight] as const));
  let root = companyRoot(rng);
  let noun = isEtf ? `${sector.etfTheme} Sector` : rng.pick(sector.nouns);
  while (takenNames.has(`${root} ${noun}`)) {
    root = companyRoot(rng);
    if (!isEtf) noun = rng.pick(sector.nouns);
  }
  const shortName = `${root} ${noun}`;
  takenNames.add(shortName);
  const exchange: ListingExchange = isEtf ? "ARCA" : rng.weighted([["NASDAQ", 58], ["NYSE", 34], ["AMEX", 4]] as const);
  const symbol = uniqueTicker(rng, taken, root, noun, exchange);
  const name = isEtf ? `${shortName} ETF` : `${shortName} ${rng.pick(LEGAL_SUFFIXES)} Common Stock`;

  // Log-normal price and volume; cheaper stocks trade more shares and move more.
  const price = isEtf ? clamp(Math.exp(Math.log(45) + 0.7 * rng.normal()), 5, 900) : clamp(Math.exp(Math.log(22) + 1.3 * rng.normal()), 0.08, 4000);
  const priceTilt = Math.log(price / 22);
  const volumeMedian = isEtf ? 120_000 : 350_000;
  const inactivity = tradable ? 1 : 0.2;
  const avgDailyVolume = Math.round(clamp(Math.exp(Math.log(volumeMedian) + 1.6 * rng.normal() - 0.3 * priceTilt) * inactivity, 1_000, 150_000_000));
  const dailyVolatility = round(
    isEtf
      ? clamp(0.011 * Math.exp(0.2 * rng.normal()), 0.006, 0.03)
      : clamp(0.028 * Math.exp(-0.22 * priceTilt + 0.25 * rng.normal()) * sector.volatility, 0.008, 0.15),
    5,
  );
  // Cap beta so the market part never exceeds 90% of the total volatility.
  const beta = round(Math.min(clamp((isEtf ? 1 : sector.beta) + (isEtf ? 0.15 : 0.35) * rng.normal(), 0.1, 2.5), (0.9 * dailyVolatility) / MARKET_VOLATILITY), 4);
  const idiosyncraticVolatility = Math.sqrt(dailyVolatility ** 2 - (beta * MARKET_VOLATILITY) ** 2);
  const dollarVolume = price * avgDailyVolume;
  const spreadBps = round(clamp(2.5 * (1e8 / dollarVolume) ** 0.45 * Math.exp(0.25 * rng.normal()) * (isEtf ? 0.5 : 1), 0.5, 1000), 1);
  const shortable = tradable && rng.chance(dollarVolume > 1e6 ? 0.97 : 0.55);
  const easyToBorrow = shortable && rng.chance(dollarVolume > 5e7 ? 0.98 : dollarVolume > 5e6 ? 0.8 : 0.35);
  const marginable = tradable && rng.chance(price >= 3 ? 0.98 : 0.25);
  const fractionable = tradable && price >= 1 && dollarVolume > 2e6 && rng.chance(0.92);
  return {
    asset: {
      symbol,
      name,
      exchange,
      sector: sector.name,
      tradable,
      shortable,
      easyToBorrow,
      marginable,
      fractionable,
      basePrice: roundToTick(price),
      avgDailyVolume,
      dailyVolatility,
      spreadBps,
    },
    shortName,
    sector,
    isEtf,
    drift: 0.0005 * rng.normal(),
    beta,
    idiosyncraticVolatility,
    tradeSize: Math.round(clamp(180 * (price / 20) ** -0.6 * Math.exp(0.25 * rng.normal()), 5, 5000)),
    premarketShare: clamp((0.015 + 0.4 * dailyVolatility) * Math.exp(0.3 * rng.normal()), 0.005, 0.12),
    // ETFs and dead listings have no catalysts; volatile names and biotech have the most.
    rawCatalystWeight: tradable && !isEtf ? (dailyVolatility / 0.03) ** 0.8 * (sector.name === "Health Care" ? 1.5 : 1) : 0,
  };
}

/** `size` listings (about 2.4% of them not tradable), sorted by symbol. */
export function buildUniverse(seed: number, seedKey: number, size: number): AssetModel[] {
  const rng = new Rng(mix(seedKey, Purpose.universe));
  const taken = new Set<string>();
  const takenNames = new Set<string>();
  const nonTradable = Math.floor(size * NON_TRADABLE_SHARE);
  const drafts: Draft[] = [];
  for (let i = 0; i < size; i++) drafts.push(draftAsset(rng, taken, takenNames, i < size - nonTradable));
  let totalWeight = 0;
  for (const draft of drafts) totalWeight += draft.rawCatalystWeight;
  const models = drafts.map(({ rawCatalystWeight, asset, ...rest }): AssetModel => ({
    ...rest,
    asset: { id: deterministicUuid(seed, `asset:${asset.symbol}`, 0), ...asset },
    key: mix(seedKey, hashString(asset.symbol)),
    catalystRate: totalWeight > 0 ? (CATALYSTS_PER_DAY * rawCatalystWeight) / totalWeight : 0,
  }));
  return models.sort((a, b) => (a.asset.symbol < b.asset.symbol ? -1 : 1));
}
