/** Service name → app factory; the worker bootstrap builds exactly one of these. */
import type { ServiceContext } from "../runtime/context.ts";
import type { ServiceName } from "../runtime/services.ts";
import { createNewsApp } from "./news/app.ts";
import { createOrchestrationApp } from "./orchestration/app.ts";
import { createPatternApp } from "./pattern/app.ts";
import { createReportingApp } from "./reporting/app.ts";
import { createRiskApp } from "./risk/app.ts";
import { createScannerApp } from "./scanner/app.ts";
import { createTechnicalApp } from "./technical/app.ts";
import { createTradingApp } from "./trading/app.ts";
import { createVenueApp } from "./venue/app.ts";
import { createWorkflowApp } from "./workflow/app.ts";

/** What the worker needs of a service's server: Elysia apps and the venue's Bun server both fit. */
export interface ServiceServer {
  listen(options: { port: number; hostname: string; reusePort: boolean; development: boolean }): unknown;
  stop(closeActiveConnections?: boolean): Promise<unknown>;
}

export const SERVICE_APPS: Record<ServiceName, (ctx: ServiceContext) => ServiceServer> = {
  orchestration: createOrchestrationApp,
  scanner: createScannerApp,
  pattern: createPatternApp,
  technical: createTechnicalApp,
  risk: createRiskApp,
  trading: createTradingApp,
  workflow: createWorkflowApp,
  venue: createVenueApp,
  news: createNewsApp,
  reporting: createReportingApp,
};
