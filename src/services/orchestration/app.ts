/** orchestration (5000): the MCP front door at /mcp and the system health. No business logic: it asks the other services over REST. */
import { healthRoute, systemHealthRoute } from "../../contracts/health.ts";
import type { RouteOutput } from "../../contracts/route.ts";
import { ServiceCallError } from "../../runtime/client.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp, healthReport, mount } from "../../runtime/http.ts";
import { defaultServices } from "../../runtime/services.ts";
import { createMcpDeps } from "./mcp/deps.ts";
import { createMcpEndpoint, MCP_PATH } from "./mcp/http.ts";
import { createLiveFeed } from "./mcp/live.ts";
import { summarizeHealth } from "./system-health.ts";

type SystemHealth = RouteOutput<typeof systemHealthRoute>;

async function systemHealth(ctx: ServiceContext): Promise<SystemHealth> {
  const services = await Promise.all(
    defaultServices(ctx.config.mode).map(async (service): Promise<SystemHealth["services"][number]> => {
      if (service === ctx.service) return healthReport(ctx);
      try {
        return await ctx.client.call(healthRoute, {}, { service, timeoutMs: 3000 });
      } catch (error) {
        if (!(error instanceof ServiceCallError) || error.status === 0) {
          return { service, status: "unreachable", detail: (error as Error).message };
        }
        return { service, status: "unreachable", detail: `${error.code}: ${error.message}` };
      }
    }),
  );
  return { mode: ctx.config.mode, ...summarizeHealth(services), services };
}

export function createOrchestrationApp(ctx: ServiceContext) {
  const mcp = createMcpEndpoint(createMcpDeps(ctx.client, ctx.config.mode), ctx.log, createLiveFeed(ctx.bus, ctx.log));
  return mount(createServiceApp(ctx), systemHealthRoute, () => systemHealth(ctx))
    .all(MCP_PATH, ({ request }) => mcp.handle(request), { parse: "none" })
    .onStop(() => mcp.stop());
}
