/**
 * Service name → app factory; the worker bootstrap builds exactly one of these. Each is imported
 * only by the worker that runs it: ten workers each loading all ten services' code (MCP, venue,
 * reporting…) cost tens of MB apiece. In the binary this holds because scripts/build.ts splits
 * each import below into its own chunk.
 */
import type { ServiceContext } from "../runtime/context.ts";
import type { ServiceName } from "../runtime/services.ts";

/** What the worker needs of a service's server: Elysia apps and the venue's Bun server both fit. */
export interface ServiceServer {
  listen(options: { port: number; hostname: string; reusePort: boolean; development: boolean }): unknown;
  stop(closeActiveConnections?: boolean): Promise<unknown>;
}

type AppFactory = (ctx: ServiceContext) => ServiceServer;

// Literal specifiers, so `bun build --compile` bundles every one.
const SERVICE_APPS: Record<ServiceName, () => Promise<AppFactory>> = {
  orchestration: async () => (await import("./orchestration/app.ts")).createOrchestrationApp,
  scanner: async () => (await import("./scanner/app.ts")).createScannerApp,
  pattern: async () => (await import("./pattern/app.ts")).createPatternApp,
  technical: async () => (await import("./technical/app.ts")).createTechnicalApp,
  risk: async () => (await import("./risk/app.ts")).createRiskApp,
  trading: async () => (await import("./trading/app.ts")).createTradingApp,
  workflow: async () => (await import("./workflow/app.ts")).createWorkflowApp,
  venue: async () => (await import("./venue/app.ts")).createVenueApp,
  news: async () => (await import("./news/app.ts")).createNewsApp,
  reporting: async () => (await import("./reporting/app.ts")).createReportingApp,
};

export function loadServiceApp(service: ServiceName): Promise<AppFactory> {
  return SERVICE_APPS[service]();
}
