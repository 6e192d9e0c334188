/** The trader's ticker → sector file: every line checked, the first bad one refuses the file naming its line and field. */
import { describe, expect, test } from "bun:test";
import { parseSectorFile, resolveSector, SectorFileError, type SectorRef } from "../../src/domain/risk/sector-file.ts";

const SECTORS: SectorRef[] = [
  { code: "XLE", name: "Energy", gicsCode: "10" },
  { code: "XLV", name: "Health Care", gicsCode: "35" },
  { code: "XLK", name: "Information Technology", gicsCode: "45" },
];

function refusal(text: string): { line: number; field: string; message: string } {
  try {
    parseSectorFile(text, SECTORS);
  } catch (error) {
    if (error instanceof SectorFileError) return { line: error.line, field: error.field, message: error.message };
    throw error;
  }
  throw new Error("the file was accepted");
}

describe("resolveSector", () => {
  test("an SPDR code, a GICS name in any case, or a two-digit GICS code", () => {
    expect(resolveSector("xlk", SECTORS)?.code).toBe("XLK");
    expect(resolveSector("health care", SECTORS)?.code).toBe("XLV");
    expect(resolveSector("10", SECTORS)?.code).toBe("XLE");
    expect(resolveSector("Tech", SECTORS)).toBeNull();
  });
});

describe("parseSectorFile", () => {
  test("a good file: symbols upper-cased, sectors as codes, blank lines, quotes, CRLF and a BOM tolerated", () => {
    const text = '\uFEFFsymbol,sector\r\nAAPL,XLK\r\n\r\nbrk.b,"Health Care"\r\nXOM,10\r\n';
    expect(parseSectorFile(text, SECTORS)).toEqual([
      { symbol: "AAPL", sectorCode: "XLK" },
      { symbol: "BRK.B", sectorCode: "XLV" },
      { symbol: "XOM", sectorCode: "XLE" },
    ]);
  });
  test("an unknown sector names its line and field", () => {
    expect(refusal("symbol,sector\nAAPL,XLK\nMSFT,Tech\n")).toEqual({
      line: 3,
      field: "sector",
      message: 'line 3, field sector: "Tech" is not a sector; use an SPDR sector code (XLE, XLV, XLK), a GICS sector name or its two-digit GICS code',
    });
  });
  test("a bad symbol, a repeated symbol, a missing or an extra field", () => {
    expect(refusal("symbol,sector\nAA PL,XLK\n")).toMatchObject({ line: 2, field: "symbol" });
    expect(refusal("symbol,sector\nAAPL,XLK\nMSFT,XLK\naapl,XLE\n")).toMatchObject({ line: 4, field: "symbol", message: expect.stringContaining("AAPL is already on line 2") });
    expect(refusal("symbol,sector\nAAPL\n")).toMatchObject({ line: 2, field: "sector", message: expect.stringContaining("expected 2 fields") });
    expect(refusal("symbol,sector\nAAPL,XLK,45\n")).toMatchObject({ line: 2, field: "sector" });
    expect(refusal("symbol,sector\nAAPL,\n")).toMatchObject({ line: 2, field: "sector", message: expect.stringContaining("no sector for AAPL") });
  });
  test("the header is required, and a file without rows is refused", () => {
    expect(refusal("AAPL,XLK\n")).toMatchObject({ line: 1, field: "header" });
    expect(refusal("")).toMatchObject({ line: 1, field: "header" });
    expect(refusal("symbol,sector\n\n")).toMatchObject({ field: "file", message: "the file has a header but no rows" });
  });
});
