/**
 * The trader's ticker → sector file (`catalyst sectors import FILE.csv`), read whole before
 * anything is written: every line is checked, and the first bad one refuses the file, naming its
 * line and field. Format (README): a header `symbol,sector`, then one `SYMBOL,SECTOR` per line,
 * SECTOR being an SPDR sector code (XLK), a GICS sector name (Information Technology) or its
 * two-digit GICS code (45). Blank lines are skipped; fields may be double-quoted.
 */

/** One of the 11 GICS sectors as the sectors table lists them. */
export interface SectorRef {
  code: string;
  name: string;
  gicsCode: string;
}

export interface SymbolSector {
  symbol: string;
  /** The sector's code (XLK). */
  sectorCode: string;
}

export class SectorFileError extends Error {
  constructor(
    readonly line: number,
    readonly field: "symbol" | "sector" | "header" | "file",
    reason: string,
  ) {
    super(field === "file" ? reason : field === "header" ? `line ${line}: ${reason}` : `line ${line}, field ${field}: ${reason}`);
    this.name = "SectorFileError";
  }
}

/** Alpaca's symbols: letters and digits plus '.', '/', '-' (BRK.B); the securities table's own check. */
const SYMBOL = /^[A-Z0-9][A-Z0-9./-]{0,19}$/;
const MAX_ROWS = 100_000;

/** An SPDR code, a GICS name (any case) or a two-digit GICS code → the sector; null if none matches. */
export function resolveSector(value: string, sectors: readonly SectorRef[]): SectorRef | null {
  const wanted = value.trim().toLowerCase();
  return sectors.find((s) => s.code.toLowerCase() === wanted || s.name.toLowerCase() === wanted || s.gicsCode === wanted) ?? null;
}

function fields(line: string): string[] {
  return line.split(",").map((field) => field.trim().replace(/^"(.*)"$/, "$1").trim());
}

export function parseSectorFile(text: string, sectors: readonly SectorRef[]): SymbolSector[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0] === undefined ? [] : fields(lines[0]).map((f) => f.toLowerCase());
  if (header.length !== 2 || header[0] !== "symbol" || header[1] !== "sector") {
    throw new SectorFileError(1, "header", `the first line must be the header "symbol,sector" (got "${lines[0] ?? ""}")`);
  }
  const seen = new Map<string, number>();
  const rows: SymbolSector[] = [];
  const sectorHelp = `use an SPDR sector code (${sectors.map((s) => s.code).join(", ")}), a GICS sector name or its two-digit GICS code`;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const number = i + 1;
    if (line.trim() === "") continue;
    const parts = fields(line);
    if (parts.length !== 2) throw new SectorFileError(number, "sector", `expected 2 fields (symbol,sector), got ${parts.length}: "${line}"`);
    const symbol = parts[0]!.toUpperCase();
    if (!SYMBOL.test(symbol)) throw new SectorFileError(number, "symbol", `"${parts[0]}" is not a ticker symbol (letters, digits, '.', '/', '-'; at most 20)`);
    const first = seen.get(symbol);
    if (first !== undefined) throw new SectorFileError(number, "symbol", `${symbol} is already on line ${first}; give each symbol once`);
    seen.set(symbol, number);
    if (parts[1] === "") throw new SectorFileError(number, "sector", `no sector for ${symbol}; ${sectorHelp}`);
    const sector = resolveSector(parts[1]!, sectors);
    if (!sector) throw new SectorFileError(number, "sector", `"${parts[1]}" is not a sector; ${sectorHelp}`);
    rows.push({ symbol, sectorCode: sector.code });
    if (rows.length > MAX_ROWS) throw new SectorFileError(number, "file", `more than ${MAX_ROWS} rows; split the file`);
  }
  if (rows.length === 0) throw new SectorFileError(lines.length, "file", "the file has a header but no rows");
  return rows;
}
