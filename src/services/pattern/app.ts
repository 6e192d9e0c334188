/** pattern: chart and candlestick patterns on bars. Its routes arrive with the step that builds it; today it serves health and OpenAPI. */
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp } from "../../runtime/http.ts";

export function createPatternApp(ctx: ServiceContext) {
  return createServiceApp(ctx);
}
