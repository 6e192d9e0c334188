/** risk: validates every order intent; limits; daily-loss halt; kill switch. Its routes arrive with the step that builds it; today it serves health and OpenAPI. */
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp } from "../../runtime/http.ts";

export function createRiskApp(ctx: ServiceContext) {
  return createServiceApp(ctx);
}
