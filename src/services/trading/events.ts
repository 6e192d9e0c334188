/** What the books' changes tell the rest of the system: catalyst:order_filled and catalyst:position_update. */
import type { Bus } from "../../adapters/bus/bus.ts";
import type { ReportEffects } from "../../lifecycle/apply-report.ts";

export async function publishEffects(bus: Bus, effects: ReportEffects[]): Promise<void> {
  for (const effect of effects) {
    if (effect.fill) {
      await bus.publish("order_filled", {
        orderId: effect.orderId,
        status: effect.status,
        qty: effect.fill.qty,
        price: effect.fill.price,
        filledAt: effect.fill.filledAt,
      });
    }
    if (effect.position) {
      await bus.publish("position_update", { positionId: effect.position.positionId, change: effect.position.change, orderId: effect.orderId });
    }
  }
}
