/**
 * The unattended day (CYCLE_AUTOSTART): from the pre-market scan time of each trading day the
 * workflow starts that day's cycle on its own — unless the trader skipped the day, or risk or the
 * doctor say it must not trade (kill switch, daily-loss halt, a critical issue). Pure: the service
 * gathers the facts and records and tells what this decides.
 */
import { etDate, nextTradingDay, type IsoDate } from "../exchange-calendar.ts";
import type { ScanMode } from "../scanner/modes.ts";
import { dayPlan, type DayPlan } from "./day-plan.ts";

export const AUTOSTART_SETTINGS = ["off", "conservative", "normal", "aggressive"] as const;
export type AutostartSetting = (typeof AUTOSTART_SETTINGS)[number];

/** What keeps the account from trading today; null when it could not be read (the decision waits). */
export interface TradingBlocks {
  killSwitch: { active: boolean; reason: string | null };
  dailyLossHalt: { reason: string } | null;
  /** Keys of the open critical doctor issues. */
  criticalIssues: string[];
}

/** Today's decisions so far (workflow_day_decisions) and whether a cycle of today's date exists. */
export interface DayRecord {
  cycleStarted: boolean;
  skipped: boolean;
  /** The reason of the latest "blocked" decision today, so an unchanged block is told once. */
  lastBlockedReason: string | null;
}

export interface AutostartInput {
  setting: AutostartSetting;
  /** The market's now, epoch ms. */
  now: number;
  flattenMinutes: number;
  /** The live cycle (any date), if one runs. */
  active: { tradingDate: IsoDate } | null;
  today: DayRecord;
  blocks: TradingBlocks | null;
}

export type AutostartDecision =
  /** Nothing to do now; the reason says why (shown by the tick). */
  | { kind: "idle"; reason: string }
  | { kind: "start"; mode: ScanMode; plan: DayPlan }
  /** Not starting while a block holds: record and tell it (once per distinct reason). */
  | { kind: "blocked"; tradingDate: IsoDate; reason: string; told: boolean };

/** Whether today's cycle is due to start now, before asking risk and the doctor (only then are they asked). */
export function startDue(input: Omit<AutostartInput, "blocks">): { kind: "idle"; reason: string } | { kind: "due"; mode: ScanMode; plan: DayPlan } {
  const { setting, now } = input;
  if (setting === "off") return { kind: "idle", reason: "autostart is off (CYCLE_AUTOSTART)" };
  const date = etDate(now);
  const plan = dayPlan(date, input.flattenMinutes);
  if (!plan) return { kind: "idle", reason: `${date} is not a trading day; the next is ${nextTradingDay(date)}` };
  if (now < Date.parse(plan.premarketScanAt)) return { kind: "idle", reason: `${date}'s cycle starts at ${plan.premarketScanAt}` };
  if (now >= Date.parse(plan.flattenAt)) return { kind: "idle", reason: `${date}'s session is past its flatten time; the next trading day is ${nextTradingDay(date)}` };
  if (input.today.cycleStarted) return { kind: "idle", reason: `${date}'s cycle has already been started` };
  if (input.today.skipped) return { kind: "idle", reason: `the trader skipped ${date}` };
  // The boundary step closes an earlier day's cycle first; today's own live cycle is covered above.
  if (input.active) return { kind: "idle", reason: `the cycle of ${input.active.tradingDate} is still live; it is finished first` };
  return { kind: "due", mode: setting, plan };
}

export function autostartDecision(input: AutostartInput): AutostartDecision {
  const due = startDue(input);
  if (due.kind === "idle") return due;
  if (input.blocks === null) return { kind: "idle", reason: "risk or the doctor did not answer; the start waits for the next tick" };
  const reason = blockReason(input.blocks);
  if (reason !== null) return { kind: "blocked", tradingDate: due.plan.tradingDate, reason, told: reason === input.today.lastBlockedReason };
  return { kind: "start", mode: due.mode, plan: due.plan };
}

/** Why the account must not start trading now, or null. */
export function blockReason(blocks: TradingBlocks): string | null {
  if (blocks.killSwitch.active) return `the emergency stop is set (${blocks.killSwitch.reason ?? "no reason given"}); clear it to trade`;
  if (blocks.dailyLossHalt) return `the daily-loss halt is in force (${blocks.dailyLossHalt.reason})`;
  if (blocks.criticalIssues.length > 0) return `critical doctor issue(s) open: ${blocks.criticalIssues.join(", ")}; resolve them (GET /api/v1/doctor/issues)`;
  return null;
}

/**
 * The day `skip_day` skips: the requested date, or today while its session has not closed, else
 * the next trading day. A string is the refusal (naming why).
 */
export function skipTarget(now: number, requested: IsoDate | undefined): IsoDate | { error: string } {
  const today = etDate(now);
  if (requested === undefined) {
    const plan = dayPlan(today);
    return plan && now < Date.parse(plan.close) ? today : nextTradingDay(today);
  }
  if (requested < today) return { error: `${requested} is in the past (the market's today is ${today})` };
  if (!dayPlan(requested)) return { error: `${requested} is not a trading day (weekend or exchange holiday); nothing to skip` };
  return requested;
}

/** A cycle of an earlier trading day than the market's today: it must be finished before today starts. */
export function isPreviousDay(cycleTradingDate: IsoDate, now: number): boolean {
  return cycleTradingDate < etDate(now);
}
