import { expect, test } from "bun:test";
import { MODE_SETTINGS } from "../../src/domain/workflow/mode-settings.ts";
import { selectEntries, type EntryCandidate } from "../../src/domain/workflow/select-entries.ts";

const levels = { entry: 10, stop: 9.5, target: 11, basis: "bull_flag" };
const candidates: EntryCandidate[] = [
  { rank: 3, symbol: "CCC", score: 0.6, direction: "long", suggested: levels },
  { rank: 1, symbol: "AAA", score: 0.8, direction: "short", suggested: levels },
  { rank: 2, symbol: "BBB", score: 0.7, direction: "long", suggested: null },
  { rank: 4, symbol: "DDD", score: 0.4, direction: "long", suggested: levels },
  { rank: 5, symbol: "EEE", score: 0.35, direction: "long", suggested: levels },
];

test("rank order; no levels, below the mode's score, shorts when long-only, or already entered: left out", () => {
  const symbols = (settings: typeof MODE_SETTINGS.normal, entered: string[] = []) => selectEntries(candidates, settings, new Set(entered)).map((c) => c.symbol);
  expect(symbols(MODE_SETTINGS.normal)).toEqual(["AAA", "CCC", "DDD", "EEE"]);
  expect(symbols(MODE_SETTINGS.conservative)).toEqual(["CCC"]);
  expect(symbols(MODE_SETTINGS.normal, ["CCC", "AAA"])).toEqual(["DDD", "EEE"]);
});
