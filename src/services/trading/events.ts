/**
 * What the books' changes tell the rest of the system: catalyst:order_filled and
 * catalyst:position_update; a rejection and a flatten's problems go on catalyst:risk_alert.
 */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { PositionMark, PositionUpdate } from "../../contracts/bus.ts";
import type { ReportEffects } from "../../lifecycle/apply-report.ts";

export async function publishEffects(bus: Bus, effects: ReportEffects[]): Promise<void> {
  for (const effect of effects) {
    if (effect.fill) {
      await bus.publish("order_filled", {
        orderId: effect.orderId,
        role: effect.role,
        positionId: effect.position?.positionId ?? null,
        status: effect.status,
        qty: effect.fill.qty,
        price: effect.fill.price,
        filledAt: effect.fill.filledAt,
      });
    }
    if (effect.status === "rejected") await publishRejection(bus, effect.orderId, `the broker rejected ${effect.role} order ${effect.orderId}`);
    if (effect.position) {
      const update: PositionUpdate = { positionId: effect.position.positionId, change: effect.position.change, orderId: effect.orderId };
      await bus.publish("position_update", update);
    }
  }
}

export async function publishRejection(bus: Bus, orderId: number, message: string): Promise<void> {
  await bus.publish("risk_alert", { level: "warning", kind: "broker_rejected", orderId, message });
}

/** One message per problem: the notifier tells each one once, however often a pass repeats it. */
export async function publishFlattenProblems(bus: Bus, problems: string[]): Promise<void> {
  for (const problem of problems) await bus.publish("risk_alert", { level: "critical", kind: "flatten_problem", message: problem });
}

/** Every mark refresh: one position_update per position marked (a watcher sees unrealized P&L move). */
export async function publishMarks(bus: Bus, marks: PositionMark[]): Promise<void> {
  for (const mark of marks) await bus.publish("position_update", { change: "marked", ...mark } satisfies PositionUpdate);
}
