/** `catalyst sectors import FILE.csv`: the trader's ticker → sector table, for the sector limit in paper and live. */
import { readFileSync } from "node:fs";
import { loadConfig } from "../config.ts";
import { parseSectorFile, SectorFileError } from "../domain/risk/sector-file.ts";
import { storeSymbolSectors, knownSectors } from "../services/risk/sector-table.ts";
import { withCliDatabase } from "../runtime/cli-database.ts";
import { errorMessage, UserFixableError } from "../runtime/errors.ts";
import { fileArgument, UsageError } from "./args.ts";

/** A file the trader must fix; nothing was written. */
class SectorImportError extends UserFixableError {}

async function importSectors(args: string[]): Promise<number> {
  const file = fileArgument("sectors import", args);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SectorImportError(`cannot read ${file}: ${errorMessage(error)}`);
  }
  const { rows, changed } = await withCliDatabase(loadConfig(), async (sql) => {
    let parsed;
    try {
      parsed = parseSectorFile(text, await knownSectors(sql));
    } catch (error) {
      if (error instanceof SectorFileError) throw new SectorImportError(`${file} ${error.message}; nothing was imported`);
      throw error;
    }
    return { rows: parsed.length, changed: await storeSymbolSectors(sql, parsed, "import") };
  });
  console.log(`imported ${rows} symbols' sectors from ${file} (${changed} new or changed)`);
  return 0;
}

export function sectorsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "import") return importSectors(rest);
  throw new UsageError(sub === undefined ? "sectors needs import FILE.csv" : `unknown sectors command: ${sub} (use import)`);
}
