/** Service name → app factory; the worker bootstrap builds exactly one of these. */
import type { ServiceContext } from "../runtime/context.ts";
import type { ServiceApp } from "../runtime/http.ts";
import type { ServiceName } from "../runtime/services.ts";
import { createNewsApp } from "./news/app.ts";
import { createOrchestrationApp } from "./orchestration/app.ts";
import { createPatternApp } from "./pattern/app.ts";
import { createReportingApp } from "./reporting/app.ts";
import { createRiskApp } from "./risk/app.ts";
import { createScannerApp } from "./scanner/app.ts";
import { createTechnicalApp } from "./technical/app.ts";
import { createTradingApp } from "./trading/app.ts";
import { createWorkflowApp } from "./workflow/app.ts";

export const SERVICE_APPS: Record<ServiceName, (ctx: ServiceContext) => ServiceApp> = {
  orchestration: createOrchestrationApp,
  scanner: createScannerApp,
  pattern: createPatternApp,
  technical: createTechnicalApp,
  risk: createRiskApp,
  trading: createTradingApp,
  workflow: createWorkflowApp,
  news: createNewsApp,
  reporting: createReportingApp,
};
