/** alert_day_summaries: which trading days are owed a summary, who is sending one, which went. */
import type { Sql } from "postgres";
import type { SummaryRecord } from "../../domain/alerts/summary-due.ts";
import type { IsoDate } from "../../domain/exchange-calendar.ts";

/**
 * How long a claim holds before another sender may take it over: well past a send's worst case
 * (every channel retried, ~1 min), so only a sender that died mid-send is replaced. Real time (the
 * database's clock), not the market's: it measures a process, not the trading day.
 */
export const SUMMARY_CLAIM_LEASE_SECONDS = 600;

/** Every unsent day on record, and `today`'s record if there is one. */
export async function summaryRecords(sql: Sql, today: IsoDate): Promise<SummaryRecord[]> {
  const rows = await sql<{ date: string; sent: boolean }[]>`
    select trading_date::text as date, sent_at is not null as sent from alert_day_summaries
     where sent_at is null or trading_date = ${today}`;
  return rows.map((r) => ({ date: r.date, sent: r.sent }));
}

export async function oweSummary(sql: Sql, date: IsoDate, marketNow: number): Promise<void> {
  await sql`insert into alert_day_summaries (trading_date, owed_since) values (${date}, ${new Date(marketNow)}) on conflict do nothing`;
}

/**
 * True for exactly one caller while the day is unsent: the conditional update takes the row's lock
 * and re-checks its condition, so two senders (threads, processes, hosts) cannot both win.
 */
export async function claimSummary(sql: Sql, date: IsoDate, leaseSeconds = SUMMARY_CLAIM_LEASE_SECONDS): Promise<boolean> {
  const rows = await sql`
    update alert_day_summaries set claimed_at = now()
     where trading_date = ${date} and sent_at is null
       and (claimed_at is null or claimed_at < now() - make_interval(secs => ${leaseSeconds}))
    returning trading_date`;
  return rows.length > 0;
}

export async function markSummarySent(sql: Sql, date: IsoDate, marketNow: number): Promise<void> {
  await sql`update alert_day_summaries set sent_at = ${new Date(marketNow)} where trading_date = ${date}`;
}
