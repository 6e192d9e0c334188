/**
 * Sim mode: the venue's synthetic universe gives every symbol its sector (Alpaca's assets carry
 * none), loaded into symbol_sectors before the first entry a process judges (not at start: the
 * venue may still be starting), and from there into securities. A load that fails is logged and tried again by the next entry; meanwhile those
 * symbols count in the unclassified bucket, which the same limit caps. Paper and live use the
 * trader's file (`catalyst sectors import`).
 */
import { brokerEndpoints } from "../../adapters/broker/endpoints.ts";
import { resolveSector, type SymbolSector } from "../../domain/risk/sector-file.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { errorMessage } from "../../runtime/errors.ts";
import { knownSectors, storeSymbolSectors } from "./sector-table.ts";

export interface VenueSectors {
  /** Resolves once the venue's sectors are in the database, or once this attempt failed (logged). */
  ready(): Promise<void>;
}

const LOAD_TIMEOUT_MS = 15_000;

async function loadOnce(ctx: Pick<ServiceContext, "config" | "apiKey" | "sql" | "log">): Promise<void> {
  const venue = brokerEndpoints(ctx.config, ctx.apiKey);
  const response = await fetch(`${venue.tradingBaseUrl}/admin/v1/sectors`, {
    headers: { "APCA-API-KEY-ID": venue.keyId, "APCA-API-SECRET-KEY": venue.secret },
    signal: AbortSignal.timeout(LOAD_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the venue answered ${response.status} to /admin/v1/sectors`);
  const { sectors } = (await response.json()) as { sectors: { symbol: string; sector: string }[] };
  const known = await knownSectors(ctx.sql);
  const rows: SymbolSector[] = sectors.map(({ symbol, sector }) => {
    const found = resolveSector(sector, known);
    if (!found) throw new Error(`the venue lists ${symbol} in "${sector}", which is not a GICS sector`);
    return { symbol, sectorCode: found.code };
  });
  const changed = await storeSymbolSectors(ctx.sql, rows, "venue");
  ctx.log.info("venue sectors loaded", { symbols: rows.length, changed });
}

export function venueSectors(ctx: Pick<ServiceContext, "config" | "apiKey" | "sql" | "log">): VenueSectors {
  if (ctx.config.mode !== "sim") return { ready: () => Promise.resolve() };
  let loaded: Promise<boolean> | null = null;
  return {
    async ready() {
      loaded ??= loadOnce(ctx).then(
        () => true,
        (error: unknown) => {
          ctx.log.warn("venue sectors not loaded; unknown sectors count as unclassified until the next entry retries", { error: errorMessage(error) });
          loaded = null;
          return false;
        },
      );
      await loaded;
    },
  };
}
