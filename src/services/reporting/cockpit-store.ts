/** The cockpit's reads (working orders, today's realized P&L) and its one table, the day's equity samples. */
import type { Sql } from "postgres";
import type { OrderView } from "../../contracts/trading.ts";
import type { IsoDate } from "../../domain/exchange-calendar.ts";
import type { Decimal } from "../../domain/money.ts";
import { LIVE_ORDER_STATUSES } from "../../domain/order-status.ts";
import { etDayBounds } from "../../domain/reporting/periods.ts";
import { ORDER_COLUMNS, orderView } from "../../lifecycle/views.ts";

/** Orders still working (or not yet confirmed) at the broker, oldest first. */
export async function workingOrders(sql: Sql): Promise<OrderView[]> {
  const rows = await sql`
    select ${sql.unsafe(ORDER_COLUMNS)} from orders o join securities s using (security_id)
     where o.status = any(${LIVE_ORDER_STATUSES as string[]})
     order by o.created_at, o.order_id`;
  return rows.map(orderView);
}

/** P&L of the positions closed on the ET day `date`. */
export async function realizedOn(sql: Sql, date: IsoDate): Promise<Decimal> {
  const { start, end } = etDayBounds(date);
  const [row] = await sql<{ pnl: string }[]>`
    select coalesce(sum(realized_pnl), 0)::text as pnl from positions
     where status = 'closed' and closed_at >= ${new Date(start)} and closed_at < ${new Date(end)}`;
  return row!.pnl;
}

export interface EquitySample {
  /** Market time, epoch ms. */
  at: number;
  startEquity: Decimal;
  realized: Decimal;
  unrealized: Decimal;
}

/** One sample; a second one at the same market instant is the same sample (ignored). */
export async function recordEquitySample(sql: Sql, date: IsoDate, sample: EquitySample): Promise<void> {
  await sql`
    insert into equity_samples (sampled_at, trading_date, start_equity, realized, unrealized)
    values (${new Date(sample.at)}, ${date}, ${sample.startEquity}, ${sample.realized}, ${sample.unrealized})
    on conflict (sampled_at) do nothing`;
}

export async function equitySamples(sql: Sql, date: IsoDate): Promise<EquitySample[]> {
  const rows = await sql<{ sampled_at: Date; start_equity: string; realized: string; unrealized: string }[]>`
    select sampled_at, start_equity::text, realized::text, unrealized::text from equity_samples
     where trading_date = ${date} order by sampled_at`;
  return rows.map((r) => ({ at: r.sampled_at.getTime(), startEquity: r.start_equity, realized: r.realized, unrealized: r.unrealized }));
}
