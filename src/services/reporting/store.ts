/**
 * The reporting service's reads: closed trades of a window, open positions, and a day's
 * positions with their entry order's evidence. Reporting only reads; trading writes these rows.
 */
import type { Sql } from "postgres";
import type { OrderView } from "../../contracts/trading.ts";
import type { PositionSide } from "../../domain/order-side.ts";
import type { ClosedTrade } from "../../domain/reporting/trade-stats.ts";
import { ORDER_COLUMNS, orderView } from "../../lifecycle/views.ts";

/**
 * Pattern and catalyst: the position's own, else what the entry order's evidence said. Entries
 * before stopBasis existed recorded the stop's method "atr" as their pattern: that is no pattern.
 */
const PATTERN = `nullif(coalesce(p.pattern, eo.metadata #>> '{evidence,pattern}'), 'atr')`;
const CATALYST = `coalesce(p.catalyst, eo.metadata #>> '{evidence,catalyst}')`;
/** The scan score the entry was made on (evidence is data: anything but a number is no score). */
const SCORE = `case when jsonb_typeof(eo.metadata #> '{evidence,score}') = 'number' then (eo.metadata #>> '{evidence,score}')::float8 end`;

/** Positions closed in [from, to]; from null = since the beginning. Oldest close first. */
export async function closedTrades(sql: Sql, from: number | null, to: number): Promise<ClosedTrade[]> {
  const rows = await sql<{ closed_at: Date; realized_pnl: string; pattern: string | null; catalyst: string | null; score: number | null }[]>`
    select p.closed_at, p.realized_pnl::text, ${sql.unsafe(PATTERN)} as pattern, ${sql.unsafe(CATALYST)} as catalyst, ${sql.unsafe(SCORE)} as score
      from positions p left join orders eo on eo.order_id = p.entry_order_id
     where p.status = 'closed' and p.closed_at <= ${new Date(to)}
       ${from === null ? sql`` : sql`and p.closed_at >= ${new Date(from)}`}
     order by p.closed_at, p.position_id`;
  return rows.map((r) => ({ closedAt: r.closed_at.getTime(), realizedPnl: r.realized_pnl, pattern: r.pattern, catalyst: r.catalyst, score: r.score }));
}

export interface OpenPosition {
  positionId: number;
  symbol: string;
  side: PositionSide;
  qty: string;
  avgEntryPrice: string;
  lastPrice: string | null;
  stopLoss: string | null;
  takeProfit: string | null;
  openedAt: string;
}

export async function openPositions(sql: Sql): Promise<OpenPosition[]> {
  const rows = await sql<
    { position_id: string; symbol: string; side: PositionSide; qty: string; avg_entry_price: string; last_price: string | null; stop_loss: string | null; take_profit: string | null; opened_at: Date }[]
  >`select p.position_id, s.symbol, p.side, p.qty::text, p.avg_entry_price::text, p.last_price::text, p.stop_loss::text,
           p.take_profit::text, p.opened_at
      from positions p join securities s using (security_id)
     where p.status = 'open' order by p.opened_at, p.position_id`;
  return rows.map((r) => ({
    positionId: Number(r.position_id),
    symbol: r.symbol,
    side: r.side,
    qty: r.qty,
    avgEntryPrice: r.avg_entry_price,
    lastPrice: r.last_price,
    stopLoss: r.stop_loss,
    takeProfit: r.take_profit,
    openedAt: r.opened_at.toISOString(),
  }));
}

/** A position of the journal's day, with its entry order's metadata and the scan row its evidence names. */
export interface DayPositionRow {
  position_id: string;
  entry_order_id: string | null;
  symbol: string;
  side: PositionSide;
  status: string;
  qty: string;
  avg_entry_price: string;
  avg_exit_price: string | null;
  realized_pnl: string;
  opened_at: Date;
  closed_at: Date | null;
  close_reason: string | null;
  hold_overnight: boolean;
  pattern: string | null;
  catalyst: string | null;
  entry_metadata: Record<string, unknown> | null;
  scan_rank: number | null;
  scan_score: string | null;
  scan_reasons: unknown;
  /** The scan row's metadata: its catalyst news and pattern, when the scan recorded them. */
  scan_metadata: Record<string, unknown> | null;
}

/** Every position opened or closed in [start, end), oldest first. */
export async function dayPositions(sql: Sql, start: number, end: number): Promise<DayPositionRow[]> {
  const [from, to] = [new Date(start), new Date(end)];
  // The scan id is compared as text: evidence is data, and a malformed id must not fail the report.
  return sql<DayPositionRow[]>`
    select p.position_id, p.entry_order_id, s.symbol, p.side, p.status, p.qty::text, p.avg_entry_price::text,
           p.avg_exit_price::text, p.realized_pnl::text, p.opened_at, p.closed_at, p.close_reason, p.hold_overnight,
           ${sql.unsafe(PATTERN)} as pattern, ${sql.unsafe(CATALYST)} as catalyst, eo.metadata as entry_metadata,
           sr.rank as scan_rank, sr.composite_score::text as scan_score, sr.reasons as scan_reasons, sr.metadata as scan_metadata
      from positions p
      join securities s on s.security_id = p.security_id
      left join orders eo on eo.order_id = p.entry_order_id
      left join scan_results sr on sr.security_id = p.security_id and sr.scan_id::text = eo.metadata #>> '{evidence,scanId}'
     where (p.opened_at >= ${from} and p.opened_at < ${to}) or (p.closed_at >= ${from} and p.closed_at < ${to})
     order by p.opened_at, p.position_id`;
}

/** The positions' orders: each entry, every order on the position, and every leg of the entry. */
export async function ordersOfPositions(sql: Sql, positionIds: number[]): Promise<OrderView[]> {
  if (positionIds.length === 0) return [];
  const entries = sql`select entry_order_id from positions where position_id in ${sql(positionIds)}`;
  const rows = await sql`
    select ${sql.unsafe(ORDER_COLUMNS)} from orders o join securities s using (security_id)
     where o.position_id in ${sql(positionIds)} or o.order_id in (${entries}) or o.parent_order_id in (${entries})
     order by o.created_at, o.order_id`;
  return rows.map(orderView);
}
