/**
 * The ticker → sector table (symbol_sectors) in the database: read the sectors it may name, and
 * store a whole load in one statement (all of it or none). A trigger carries each sector to its
 * securities row, and rows created later take it at creation (sql/008).
 */
import type { Sql, TransactionSql } from "postgres";
import type { SectorRef, SymbolSector } from "../../domain/risk/sector-file.ts";

type Db = Sql | TransactionSql;

export async function knownSectors(db: Db): Promise<SectorRef[]> {
  const rows = await db`select sector_code, sector_name, gics_code from sectors order by gics_code`;
  return rows.map((r) => ({ code: r.sector_code, name: r.sector_name, gicsCode: r.gics_code }));
}

/**
 * Writes the rows as `source`; returns how many were new or changed. The venue's universe never
 * overwrites a trader's import; an import overwrites anything.
 */
export async function storeSymbolSectors(db: Db, rows: readonly SymbolSector[], source: "venue" | "import"): Promise<number> {
  const written = await db`
    insert into symbol_sectors (symbol, sector_id, source)
    select r.symbol, s.sector_id, ${source}
      from unnest(${rows.map((r) => r.symbol)}::text[], ${rows.map((r) => r.sectorCode)}::text[]) as r(symbol, code)
      join sectors s on s.sector_code = r.code
    on conflict (symbol) do update set sector_id = excluded.sector_id, source = excluded.source, loaded_at = now()
     where (excluded.source = 'import' or symbol_sectors.source = 'venue')
       and (symbol_sectors.sector_id, symbol_sectors.source) is distinct from (excluded.sector_id, excluded.source)
    returning symbol`;
  return written.length;
}
