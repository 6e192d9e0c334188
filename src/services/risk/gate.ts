/**
 * The risk gate: loads what the rules need from the database and evaluates an entry. The risk
 * service runs it to answer /validate; trading runs it again inside the transaction that writes
 * the order row, holding the day's risk lock, so concurrent intents are checked one at a time
 * and none can slip past a limit (the original checked, then wrote, and raced).
 */
import type { Sql, TransactionSql } from "postgres";
import type { Config } from "../../config.ts";
import type { Decimal } from "../../domain/money.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import { evaluateEntry } from "../../domain/risk/evaluate.ts";
import type { BookSnapshot, EntryRequest, Exposure, RiskEvaluation, RiskLimits } from "../../domain/risk/types.ts";
import type { PositionSide } from "../../domain/order-side.ts";
import { LIVE_ORDER_STATUSES } from "../../domain/order-status.ts";
import { positionAtRisk, workingEntryAtRisk } from "../../domain/risk/at-risk.ts";
import { openCriticalIssueKeys } from "../../doctor/issues.ts";
import { doctorWatch, type DoctorWatch } from "../../doctor/watch.ts";
import type { DoctorSilence } from "../../domain/doctor/window.ts";
import { ApiError } from "../../runtime/errors.ts";
import type { EntryMarketView } from "./market-view.ts";

type Db = Sql | TransactionSql;

export async function currentLimits(db: Db): Promise<RiskLimits> {
  const [row] = await db`
    select max_open_positions, max_position_notional::text, max_position_pct_equity::text, max_daily_loss::text,
           daily_loss_warn_pct::text, max_sector_exposure_pct::text, min_reward_risk::text, max_trades_per_day,
           risk_per_trade_pct::text
      from v_current_risk_parameters`;
  if (!row) throw new Error("no risk parameters in force (migration 002 seeds them)");
  return {
    maxOpenPositions: row.max_open_positions,
    maxPositionNotional: row.max_position_notional,
    maxPositionPctEquity: row.max_position_pct_equity,
    maxDailyLoss: row.max_daily_loss,
    dailyLossWarnPct: row.daily_loss_warn_pct,
    maxSectorExposurePct: row.max_sector_exposure_pct,
    minRewardRisk: row.min_reward_risk,
    maxTradesPerDay: row.max_trades_per_day,
    riskPerTradePct: row.risk_per_trade_pct,
  };
}

/**
 * Open positions and working entries: what already uses risk capacity. A position's stop is its
 * working stop order (sent, not final); without one its shares count as unprotected.
 */
export async function loadExposures(db: Db, unprotectedLossPct: Decimal): Promise<Exposure[]> {
  const rows = await db`
    select s.symbol, sec.sector_code as sector, p.side as direction, p.qty::text as qty,
           coalesce(p.last_price, p.avg_entry_price)::text as price, 'position' as kind,
           st.stop_price::text as stop_price, st.stop_qty::text as stop_qty, null as sized_risk
      from positions p join securities s using (security_id) left join sectors sec on sec.sector_id = s.sector_id
      left join lateral (
        select coalesce(o.stop_price, p.stop_loss) as stop_price, o.qty - o.filled_qty as stop_qty
          from orders o
         where o.position_id = p.position_id and o.role = 'stop_loss' and o.broker_order_id is not null
           and o.status = any(${LIVE_ORDER_STATUSES as string[]})
         order by o.order_id desc limit 1) st on true
     where p.status = 'open'
    union all
    select s.symbol, sec.sector_code, case o.side when 'buy' then 'long' else 'short' end, (o.qty - o.filled_qty)::text,
           coalesce(o.limit_price, (o.metadata #>> '{risk,sizing,referencePrice}')::numeric, o.stop_price)::text, 'working_entry',
           null, null, (o.metadata #>> '{risk,sizing,riskUsd}')
      from orders o join securities s using (security_id) left join sectors sec on sec.sector_id = s.sector_id
     where o.role = 'entry' and o.status in ('created', 'submitted', 'accepted', 'partial_fill')`;
  return rows.map((r) => {
    const direction = r.direction as PositionSide;
    const price: Decimal = r.price ?? "0";
    const { riskToStop, unprotected } =
      r.kind === "position"
        ? positionAtRisk(
            { direction, qty: r.qty, mark: price, stop: r.stop_price === null ? null : { price: r.stop_price, qty: r.stop_qty } },
            unprotectedLossPct,
          )
        : workingEntryAtRisk(r.qty, price, r.sized_risk, unprotectedLossPct);
    return { symbol: r.symbol, sector: r.sector, direction, qty: r.qty, price, kind: r.kind as Exposure["kind"], riskToStop, unprotected };
  });
}

export interface DayRiskState {
  tradingDate: string;
  entriesToday: number;
  halt: { reason: string; at: string } | null;
  killSwitch: { reason: string; setAt: string; setBy: string } | null;
}

/**
 * The day's counts and halt, and the kill switch. With `lock` the day's row is created if need be
 * and locked (FOR NO KEY UPDATE, by the no-op update) until the transaction ends, in the same
 * statement that reads it; a plain read writes nothing (no row yet: nothing happened today).
 */
export async function dayRiskState(db: Db, tradingDate: string, lock: boolean): Promise<DayRiskState> {
  const [[day = { entries_count: 0, halted: false }], [kill]] = await Promise.all([
    lock
      ? db`insert into risk_daily_state (trading_date) values (${tradingDate})
           on conflict (trading_date) do update set entries_count = risk_daily_state.entries_count
           returning entries_count, halted, halt_reason, halted_at`
      : db`select entries_count, halted, halt_reason, halted_at from risk_daily_state where trading_date = ${tradingDate}`,
    db`select kill_switch_active, kill_switch_reason, kill_switch_set_at, kill_switch_set_by from risk_state`,
  ]);
  return {
    tradingDate,
    entriesToday: day.entries_count,
    halt: day.halted ? { reason: day.halt_reason, at: new Date(day.halted_at).toISOString() } : null,
    killSwitch: kill?.kill_switch_active
      ? { reason: kill.kill_switch_reason, setAt: new Date(kill.kill_switch_set_at).toISOString(), setBy: kill.kill_switch_set_by }
      : null,
  };
}

/** The candidate's sector: its securities row's, or the loaded table's for a symbol not traded yet (no row). */
async function sectorOf(db: Db, symbol: string): Promise<string | null> {
  const [row] = await db`
    select sec.sector_code from sectors sec
     where sec.sector_id = coalesce((select sector_id from securities where symbol = ${symbol}),
                                    (select sector_id from symbol_sectors where symbol = ${symbol}))`;
  return row?.sector_code ?? null;
}

/** The cycle's risk multiplier (its mode's), or 1 without a cycle; a cycle that is not live is refused. */
export async function cycleSizeMultiplier(db: Db, cycleId: string | undefined): Promise<string> {
  if (cycleId === undefined) return "1";
  const [cycle] = await db`select state, config #>> '{settings,sizeMultiplier}' as multiplier from trading_cycles where cycle_id = ${cycleId}`;
  if (!cycle) throw new ApiError(404, "cycle_not_found", `no trading cycle ${cycleId}; start one or omit cycleId`, "cycleId");
  if (cycle.state === "closed" || cycle.state === "error") {
    throw new ApiError(409, "cycle_ended", `cycle ${cycleId} has ended (${cycle.state}); entries attach only to a live cycle`, "cycleId");
  }
  return cycle.multiplier ?? "1";
}

/** When this thread started watching the doctor: a fresh start gives it time for its first sweep. */
const WATCHING_SINCE = Date.now();

/** The doctor's last completed sweep, by the database's clock (the one that stamped it; the current time, not the transaction's start). */
async function doctorSilence(db: Db, watch: DoctorWatch): Promise<DoctorSilence> {
  const [last] = await db`
    select finished_at, extract(epoch from clock_timestamp() - finished_at)::float8 * 1000 as ago_ms
      from doctor_sweeps where finished_at is not null and status <> 'error' order by finished_at desc limit 1`;
  return {
    lastSweepAgoMs: last ? Number(last.ago_ms) : null,
    lastSweepAt: last ? new Date(last.finished_at).toISOString() : null,
    watchingForMs: Date.now() - WATCHING_SINCE,
    ...watch,
  };
}

/**
 * The settings the rules take from configuration (RISK_PRICE_BAND_PCT, TRADING_FLATTEN_MINUTES,
 * RISK_EXIT_PARTICIPATION_PCT, RISK_MAX_QUOTE_AGE_SECONDS, DOCTOR_TICK_SECONDS) and the one the book
 * is valued with (RISK_UNPROTECTED_LOSS_PCT).
 */
export interface EntryRuleSettings {
  priceBandPct: number;
  flattenWindowMinutes: number;
  exitParticipationPct: Decimal;
  maxQuoteAgeSeconds: number;
  unprotectedLossPct: Decimal;
  doctorWatch: DoctorWatch;
}

export function entryRuleSettings(config: Config): EntryRuleSettings {
  return {
    priceBandPct: config.risk.priceBandPct,
    flattenWindowMinutes: config.trading.flattenWindowMinutes,
    exitParticipationPct: config.risk.exitParticipationPct,
    maxQuoteAgeSeconds: config.risk.maxQuoteAgeSeconds,
    unprotectedLossPct: config.risk.unprotectedLossPct,
    doctorWatch: doctorWatch(config),
  };
}

export interface GateInput {
  request: EntryRequest;
  view: EntryMarketView;
  settings: EntryRuleSettings;
}

export interface GateResult {
  evaluation: RiskEvaluation;
  day: DayRiskState;
}

/** Evaluates an entry against the database's state; in a transaction with lock = true it serialises with every other entry of the day. */
export async function evaluateAgainstBook(db: Db, input: GateInput, lock: boolean): Promise<GateResult> {
  // One round trip: the statements are pipelined in this order, and the server runs them one after
  // another, so in a transaction every read below starts after the day's lock is held and sees
  // whatever the entry that held it before us wrote (READ COMMITTED: a fresh snapshot per statement).
  const { doctorWatch: watch } = input.settings;
  const [day, limits, exposures, sector, criticalIssues, silence] = await Promise.all([
    dayRiskState(db, etDate(input.view.now), lock),
    currentLimits(db),
    loadExposures(db, input.settings.unprotectedLossPct),
    sectorOf(db, input.request.symbol),
    openCriticalIssueKeys(db),
    doctorSilence(db, watch),
  ]);
  const book: BookSnapshot = {
    exposures,
    entriesToday: day.entriesToday,
    killSwitch: day.killSwitch ? { reason: day.killSwitch.reason } : null,
    halt: day.halt ? { reason: day.halt.reason } : null,
    openCriticalIssues: criticalIssues,
    doctorSilence: silence,
    sector,
  };
  const { priceBandPct, flattenWindowMinutes, exitParticipationPct, maxQuoteAgeSeconds } = input.settings;
  const evaluation = evaluateEntry({
    request: input.request,
    limits,
    market: input.view.market,
    account: input.view.account,
    book,
    now: input.view.now,
    priceBandPct,
    flattenWindowMinutes,
    exitParticipationPct,
    maxQuoteAgeSeconds,
  });
  return { evaluation, day };
}
