/** A day's trade journal: each position opened or closed that ET day, with why it was taken and what was sent. */
import type { Sql } from "postgres";
import type { JournalTrade } from "../../contracts/reporting.ts";
import type { RiskVerdict } from "../../contracts/risk.ts";
import type { FillView, OrderView } from "../../contracts/trading.ts";
import type { IsoDate } from "../../domain/exchange-calendar.ts";
import { sumDecimal } from "../../domain/money.ts";
import { orderSideFor } from "../../domain/order-side.ts";
import { openAfterClose } from "../../domain/reporting/after-close.ts";
import { etDayBounds } from "../../domain/reporting/periods.ts";
import { fillsOf } from "../../lifecycle/views.ts";
import { dayPositions, ordersOfPositions, type DayPositionRow } from "./store.ts";

/** `now`: the market's instant, to tell whether the day's session has closed on a position still open. */
export async function journalOf(sql: Sql, date: IsoDate, now: number): Promise<JournalTrade[]> {
  const { start, end } = etDayBounds(date);
  const positions = await dayPositions(sql, start, end);
  const orders = await ordersOfPositions(sql, positions.map((p) => Number(p.position_id)));
  const fills = await fillsOf(sql, orders.map((o) => o.orderId));
  return positions.map((row) => ({
    ...journalTrade(row, orders, fills),
    openAfterClose: openAfterClose({ openedAt: row.opened_at.getTime(), closedAt: row.closed_at?.getTime() ?? null }, date, now),
  }));
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | null => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

function journalTrade(row: DayPositionRow, allOrders: OrderView[], allFills: FillView[]): Omit<JournalTrade, "openAfterClose"> {
  const positionId = Number(row.position_id);
  const entryOrderId = row.entry_order_id === null ? null : Number(row.entry_order_id);
  const orders = allOrders.filter((o) => o.positionId === positionId || (entryOrderId !== null && (o.orderId === entryOrderId || o.parentOrderId === entryOrderId)));
  const orderIds = new Set(orders.map((o) => o.orderId));
  const fills = allFills.filter((f) => orderIds.has(f.orderId));
  return {
    positionId,
    symbol: row.symbol,
    side: row.side,
    status: row.status,
    qty: tradedQty(row, fills),
    avgEntryPrice: row.avg_entry_price,
    avgExitPrice: row.avg_exit_price,
    realizedPnl: row.realized_pnl,
    openedAt: row.opened_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    closeReason: row.close_reason,
    pattern: row.pattern,
    catalyst: row.catalyst,
    catalystNews: catalystNewsOf(row),
    stopBasis: stopBasisOf(row.entry_metadata),
    heldOvernight: row.hold_overnight,
    scan: scanOf(row),
    risk: riskOf(row.entry_metadata),
    orders,
    fills,
  };
}

/** The shares the trade opened (a closed position's qty is 0): its opening fills, else the position's qty (an import has none). */
function tradedQty(row: DayPositionRow, fills: FillView[]): string {
  const opening = orderSideFor(row.side, "open");
  const opened = fills.filter((f) => f.side === opening).map((f) => f.qty);
  return opened.length > 0 ? sumDecimal(opened) : row.qty;
}

/** The scan the evidence names, with the stored rank, score and reasons (the evidence's own when the row is gone). */
function scanOf(row: DayPositionRow): JournalTrade["scan"] {
  const evidence = asObject(asObject(row.entry_metadata)?.evidence);
  if (typeof evidence?.scanId !== "string") return null;
  const rank = row.scan_rank ?? (Number.isInteger(evidence.rank) ? (evidence.rank as number) : null);
  const score = row.scan_score !== null ? Number(row.scan_score) : typeof evidence.score === "number" ? evidence.score : null;
  return { scanId: evidence.scanId, rank, score, reasons: strings(row.scan_reasons) };
}

/** The news the scan credited, when the scan row recorded it and it is the catalyst the entry names. */
function catalystNewsOf(row: DayPositionRow): JournalTrade["catalystNews"] {
  const news = asObject(row.scan_metadata?.catalyst);
  if (typeof news?.kind !== "string" || typeof news.headline !== "string" || typeof news.strength !== "number" || typeof news.publishedAt !== "string") return null;
  if (row.catalyst !== null && row.catalyst !== news.kind) return null;
  return { kind: news.kind, headline: news.headline, strength: news.strength, publishedAt: news.publishedAt };
}

/** How the entry's stop was set, as its evidence recorded it. */
function stopBasisOf(metadata: Json | null): JournalTrade["stopBasis"] {
  const basis = asObject(asObject(metadata)?.evidence)?.stopBasis;
  return basis === "pattern" || basis === "atr" ? basis : null;
}

/** The risk decision recorded on the entry order; null when none was (an import). */
function riskOf(metadata: Json | null): JournalTrade["risk"] {
  const risk = asObject(asObject(metadata)?.risk);
  if (typeof risk?.approved !== "boolean") return null;
  const verdicts: RiskVerdict[] = (Array.isArray(risk.verdicts) ? risk.verdicts : [])
    .map(asObject)
    .filter((v): v is Json => v !== null)
    .map((v) => ({ rule: String(v.rule), ok: v.ok === true, detail: String(v.detail ?? "") }));
  return { approved: risk.approved, verdicts };
}
