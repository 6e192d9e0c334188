/** trading: the only writer of orders; talks to the broker; fills → positions. Its routes arrive with the step that builds it; today it serves health and OpenAPI. */
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp } from "../../runtime/http.ts";

export function createTradingApp(ctx: ServiceContext) {
  return createServiceApp(ctx);
}
