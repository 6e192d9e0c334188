/**
 * What the cockpit shows, fetched once per render batch: the market clock, the cycle, risk's status,
 * the books, doctor issues, the day's equity samples and journal. Each fetch is shared by the
 * sections of one batch (kill switch and gauges read the same risk status).
 */
import type { BrokerClock } from "../../adapters/broker/broker.ts";
import { doctorIssuesRoute, type OpenIssue } from "../../contracts/doctor.ts";
import type { JournalTrade } from "../../contracts/reporting.ts";
import { riskStatusRoute, type RiskStatus } from "../../contracts/risk.ts";
import type { OrderView } from "../../contracts/trading.ts";
import { currentCycleRoute, type CycleView } from "../../contracts/workflow.ts";
import { etDate } from "../../domain/exchange-calendar.ts";
import type { Decimal } from "../../domain/money.ts";
import { unrealizedPnl } from "../../domain/reporting/unrealized.ts";
import { BROKER_API, viaBroker } from "../../runtime/broker.ts";
import { ServiceCallError } from "../../runtime/client.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import type { Broker } from "../../adapters/broker/broker.ts";
import { equitySamples, workingOrders, type EquitySample } from "./cockpit-store.ts";
import { journalOf } from "./journal.ts";
import { openPositions, type OpenPosition } from "./store.ts";

export type MarkedPosition = OpenPosition & { unrealizedPnl: Decimal };

export interface CockpitSources {
  clock(): Promise<BrokerClock>;
  /** null: no cycle is running. */
  cycle(): Promise<CycleView | null>;
  risk(): Promise<RiskStatus>;
  positions(): Promise<MarkedPosition[]>;
  orders(): Promise<OrderView[]>;
  doctorIssues(): Promise<OpenIssue[]>;
  equity(): Promise<EquitySample[]>;
  journal(): Promise<JournalTrade[]>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => (value ??= load());
}

/** A fresh set of sources: every fetch at most once. */
export function cockpitSources(ctx: ServiceContext, broker: Broker): CockpitSources {
  const clock = once(() => viaBroker(() => broker.getClock(), BROKER_API));
  const marketNow = async () => Date.parse((await clock()).timestamp);
  const today = async () => etDate(await marketNow());
  return {
    clock,
    cycle: once(async () => {
      try {
        return await ctx.client.call(currentCycleRoute, {});
      } catch (error) {
        if (error instanceof ServiceCallError && error.status === 404) return null;
        throw error;
      }
    }),
    risk: once(() => ctx.client.call(riskStatusRoute, {})),
    positions: once(async () => (await openPositions(ctx.sql)).map((p) => ({ ...p, unrealizedPnl: unrealizedPnl(p) }))),
    orders: once(() => workingOrders(ctx.sql)),
    doctorIssues: once(async () => (await ctx.client.call(doctorIssuesRoute, {})).issues),
    equity: once(async () => equitySamples(ctx.sql, await today())),
    journal: once(async () => journalOf(ctx.sql, await today(), await marketNow())),
  };
}
