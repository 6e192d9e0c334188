/** Risk's own tables: parameter versions, the kill switch, the day's halt and warning, risk events. */
import type { Sql } from "postgres";
import type { KillSwitch, RiskParameters } from "../../contracts/risk.ts";
import type { RiskLimits } from "../../domain/risk/types.ts";

export function parametersView(limits: RiskLimits): RiskParameters {
  return { ...limits };
}

export async function recordParameters(sql: Sql, limits: RiskLimits, changedBy: string, reason: string): Promise<void> {
  await sql`
    insert into risk_parameters (changed_by, change_reason, max_open_positions, max_position_notional, max_position_pct_equity,
      max_daily_loss, daily_loss_warn_pct, max_sector_exposure_pct, min_reward_risk, max_trades_per_day, risk_per_trade_pct)
    values (${changedBy}, ${reason}, ${limits.maxOpenPositions}, ${limits.maxPositionNotional}, ${limits.maxPositionPctEquity},
      ${limits.maxDailyLoss}, ${limits.dailyLossWarnPct}, ${limits.maxSectorExposurePct}, ${limits.minRewardRisk},
      ${limits.maxTradesPerDay}, ${limits.riskPerTradePct})`;
}

export async function killSwitch(sql: Sql): Promise<KillSwitch> {
  const [row] = await sql`select kill_switch_active, kill_switch_reason, kill_switch_set_at, kill_switch_set_by from risk_state`;
  return {
    active: Boolean(row?.kill_switch_active),
    reason: row?.kill_switch_active ? row.kill_switch_reason : null,
    setAt: row?.kill_switch_active ? new Date(row.kill_switch_set_at).toISOString() : null,
    setBy: row?.kill_switch_active ? row.kill_switch_set_by : null,
  };
}

export async function setKillSwitch(sql: Sql, reason: string, setBy: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update risk_state set kill_switch_active = true, kill_switch_reason = ${reason}, kill_switch_set_at = now(),
             kill_switch_set_by = ${setBy}`;
    await tx`insert into risk_events (event_type, severity, message, details)
             values ('kill_switch', 'critical', ${`emergency stop by ${setBy}: ${reason}`}, ${tx.json({ reason, setBy })})`;
  });
}

/** Clears the switch; false when it was not set. */
export async function clearKillSwitch(sql: Sql, clearedBy: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const cleared = await tx`update risk_state set kill_switch_active = false, kill_switch_reason = null, kill_switch_set_at = null,
                             kill_switch_set_by = null, kill_switch_cleared_at = now(), kill_switch_cleared_by = ${clearedBy}
                             where kill_switch_active returning 1`;
    if (cleared.length === 0) return false;
    await tx`update risk_events set resolved = true, resolved_at = now(), resolved_by = ${clearedBy}
             where event_type = 'kill_switch' and not resolved`;
    await tx`insert into risk_events (event_type, severity, message, resolved, resolved_at, resolved_by)
             values ('kill_switch_cleared', 'info', ${`emergency stop cleared by ${clearedBy}`}, true, now(), ${clearedBy})`;
    return true;
  });
}

/** Today's first warning: true only for the call that recorded it (so it is escalated once). */
export async function markLossWarning(sql: Sql, tradingDate: string, message: string, details: Record<string, string | number>): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`insert into risk_daily_state (trading_date) values (${tradingDate}) on conflict do nothing`;
    const marked = await tx`update risk_daily_state set loss_warned_at = now() where trading_date = ${tradingDate} and loss_warned_at is null returning 1`;
    if (marked.length === 0) return false;
    await tx`insert into risk_events (event_type, severity, message, details) values ('daily_loss_warning', 'warning', ${message}, ${tx.json(details)})`;
    return true;
  });
}

/** Halts today's entries: true only for the call that halted. */
export async function haltDay(sql: Sql, tradingDate: string, reason: string, details: Record<string, string | number>): Promise<boolean> {
  return sql.begin(async (tx) => {
    await tx`insert into risk_daily_state (trading_date) values (${tradingDate}) on conflict do nothing`;
    const halted = await tx`update risk_daily_state set halted = true, halted_at = now(), halt_reason = ${reason}
                            where trading_date = ${tradingDate} and not halted returning 1`;
    if (halted.length === 0) return false;
    await tx`insert into risk_events (event_type, severity, message, details) values ('daily_loss_halt', 'critical', ${reason}, ${tx.json(details)})`;
    return true;
  });
}

export async function recordStartEquity(sql: Sql, tradingDate: string, lastEquity: string): Promise<void> {
  await sql`insert into risk_daily_state (trading_date, start_equity) values (${tradingDate}, ${lastEquity})
            on conflict (trading_date) do update set start_equity = coalesce(risk_daily_state.start_equity, excluded.start_equity)`;
}
