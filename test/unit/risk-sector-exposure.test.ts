import { describe, expect, test } from "bun:test";
import { sectorExposures } from "../../src/domain/risk/sector-exposure.ts";

describe("sectorExposures", () => {
  test("sums |qty| × price per sector (shorts and working entries alike), unknown sectors in the unclassified bucket, largest first", () => {
    const rows = sectorExposures(
      [
        { sector: "XLK", qty: "100", price: "10.005" },
        { sector: "XLK", qty: "-50", price: "20" },
        { sector: null, qty: "10", price: "30" },
        { sector: "XLE", qty: "300", price: "10" },
      ],
      "100000",
      "25",
    );
    expect(rows).toEqual([
      { sector: "XLE", exposureUsd: "3000.00", capUsd: "25000.00" },
      { sector: "XLK", exposureUsd: "2000.50", capUsd: "25000.00" },
      { sector: "unclassified", exposureUsd: "300.00", capUsd: "25000.00" },
    ]);
  });

  test("no exposure, no buckets", () => {
    expect(sectorExposures([], "100000", "25")).toEqual([]);
  });
});
