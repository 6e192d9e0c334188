/** scans + scan_results: a scan is written whole in one transaction, and read back in the API's shape. */
import type { JSONValue, Sql } from "postgres";
import type { ScanCandidate, ScanReport } from "../../contracts/scanner.ts";
import { PREPARED } from "../../adapters/db/client.ts";

/** A candidate as stored: the report's fields plus the day's volume. */
export type StoredCandidate = ScanCandidate & { dayVolume: number };

export async function saveScan(sql: Sql, report: ScanReport, candidates: StoredCandidate[], settings: Record<string, unknown>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`
      insert into scans (scan_id, cycle_id, mode, as_of, trading_date, universe_size, prefiltered, enriched,
                         scoring_version, weights, settings, warnings, duration_ms, stages_ms)
      values (${report.scanId}, ${report.cycleId}, ${report.mode}, ${report.asOf},
              (${report.asOf}::timestamptz at time zone 'America/New_York')::date,
              ${report.universeSize}, ${report.prefiltered}, ${report.enriched}, ${report.scoringVersion},
              ${tx.json(report.weights)}, ${tx.json(settings as JSONValue)}, ${tx.json(report.warnings)}, ${report.durationMs}, ${tx.json(report.stagesMs)})`;
    for (const c of candidates) {
      await tx`
        insert into scan_results (scan_id, cycle_id, security_id, scanned_at, rank, price, volume, gap_pct, change_pct,
                                  relative_volume, direction, composite_score, catalyst_score, technical_score,
                                  pattern_score, volume_score, momentum_score, scoring_version, reasons,
                                  suggested_entry, suggested_stop, suggested_target, metadata)
        values (${report.scanId}, ${report.cycleId}, get_or_create_security(${c.symbol}), ${report.asOf}, ${c.rank},
                ${c.price}, ${Math.round(c.dayVolume)}, ${c.gapPct}, ${c.changePct}, ${c.relativeVolume}, ${c.direction},
                ${c.score}, ${c.components.catalyst}, ${c.components.technical}, ${c.components.pattern},
                ${c.components.volume}, ${c.components.momentum}, ${report.scoringVersion}, ${tx.json(c.reasons)},
                ${c.suggested?.entry ?? null}, ${c.suggested?.stop ?? null}, ${c.suggested?.target ?? null},
                ${tx.json({ basis: c.suggested?.basis ?? null, pattern: c.pattern, catalyst: c.catalyst })})`;
    }
  });
}

interface ScanRow {
  scan_id: string;
  cycle_id: string | null;
  mode: ScanReport["mode"];
  as_of: Date;
  scoring_version: string;
  weights: ScanReport["weights"];
  universe_size: number;
  prefiltered: number;
  enriched: number;
  duration_ms: number;
  stages_ms: ScanReport["stagesMs"];
  warnings: string[];
}

interface ResultRow {
  scan_id: string;
  symbol: string;
  rank: number;
  price: string;
  gap_pct: string | null;
  change_pct: string | null;
  relative_volume: string | null;
  direction: ScanCandidate["direction"];
  composite_score: string;
  catalyst_score: string | null;
  technical_score: string | null;
  pattern_score: string | null;
  volume_score: string | null;
  momentum_score: string | null;
  reasons: string[];
  suggested_entry: string | null;
  suggested_stop: string | null;
  suggested_target: string | null;
  /** Scans from before the catalyst and pattern were recorded have only the basis. */
  metadata: { basis?: string | null; pattern?: string | null; catalyst?: ScanCandidate["catalyst"] };
}

const num = (value: string | null) => (value === null ? null : Number(value));
const score = (value: string | null) => Number(value ?? 0);

function candidateFromRow(row: ResultRow): ScanCandidate {
  const hasSuggestion = row.suggested_entry !== null && row.suggested_stop !== null && row.suggested_target !== null;
  return {
    rank: row.rank,
    symbol: row.symbol,
    score: score(row.composite_score),
    direction: row.direction,
    price: Number(row.price),
    changePct: Number(row.change_pct ?? 0),
    gapPct: num(row.gap_pct),
    relativeVolume: num(row.relative_volume),
    components: {
      catalyst: score(row.catalyst_score),
      momentum: score(row.momentum_score),
      volume: score(row.volume_score),
      technical: score(row.technical_score),
      pattern: score(row.pattern_score),
    },
    reasons: row.reasons,
    suggested: hasSuggestion
      ? { entry: Number(row.suggested_entry), stop: Number(row.suggested_stop), target: Number(row.suggested_target), basis: row.metadata.basis ?? "unknown" }
      : null,
    pattern: row.metadata.pattern ?? null,
    catalyst: row.metadata.catalyst ?? null,
  };
}

const RESULT_COLUMNS = `sr.scan_id, s.symbol, sr.rank, sr.price, sr.gap_pct, sr.change_pct, sr.relative_volume, sr.direction,
  sr.composite_score, sr.catalyst_score, sr.technical_score, sr.pattern_score, sr.volume_score, sr.momentum_score,
  sr.reasons, sr.suggested_entry, sr.suggested_stop, sr.suggested_target, sr.metadata`;

export async function latestScan(sql: Sql): Promise<ScanReport | null> {
  const [scan] = await sql<ScanRow[]>`select * from scans order by as_of desc, created_at desc limit 1`;
  if (!scan) return null;
  const rows = await sql.unsafe<ResultRow[]>(
    `select ${RESULT_COLUMNS} from scan_results sr join securities s using (security_id) where sr.scan_id = $1 order by sr.rank`,
    [scan.scan_id],
    PREPARED,
  );
  return {
    scanId: scan.scan_id,
    cycleId: scan.cycle_id,
    mode: scan.mode,
    asOf: scan.as_of.toISOString(),
    scoringVersion: scan.scoring_version,
    weights: scan.weights,
    universeSize: scan.universe_size,
    prefiltered: scan.prefiltered,
    enriched: scan.enriched,
    durationMs: scan.duration_ms,
    stagesMs: scan.stages_ms,
    warnings: scan.warnings,
    candidates: rows.map(candidateFromRow),
  };
}

export async function candidateHistory(sql: Sql, symbol: string, limit: number) {
  const rows = await sql.unsafe<(ResultRow & { as_of: Date; scoring_version: string })[]>(
    `select ${RESULT_COLUMNS}, sc.as_of, sc.scoring_version
       from scan_results sr join securities s using (security_id) join scans sc using (scan_id)
      where s.symbol = $1 order by sc.as_of desc, sc.created_at desc limit $2`,
    [symbol, limit],
    PREPARED,
  );
  return rows.map((row) => {
    const c = candidateFromRow(row);
    return {
      scanId: row.scan_id,
      asOf: row.as_of.toISOString(),
      scoringVersion: row.scoring_version,
      rank: c.rank,
      score: c.score,
      direction: c.direction,
      price: c.price,
      components: c.components,
      reasons: c.reasons,
    };
  });
}

export async function cycleIsLive(sql: Sql, cycleId: string): Promise<boolean | null> {
  const [row] = await sql<{ state: string }[]>`select state from trading_cycles where cycle_id = ${cycleId}`;
  if (!row) return null;
  return row.state !== "closed" && row.state !== "error";
}
