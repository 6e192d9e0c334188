/** workflow: the trading-cycle state machine and the day's schedule. Its routes arrive with the step that builds it; today it serves health and OpenAPI. */
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp } from "../../runtime/http.ts";

export function createWorkflowApp(ctx: ServiceContext) {
  return createServiceApp(ctx);
}
