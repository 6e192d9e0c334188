/** orchestration (5000): the MCP front door at /mcp and the system health. No business logic: it asks the other services over REST. */
import { Elysia } from "elysia";
import { healthRoute, systemHealthRoute } from "../../contracts/health.ts";
import type { RouteOutput } from "../../contracts/route.ts";
import { ServiceCallError } from "../../runtime/client.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { createServiceApp, healthReport, mount } from "../../runtime/http.ts";
import { defaultServices } from "../../runtime/services.ts";
import { createMcpDeps } from "./mcp/deps.ts";
import { createOAuth, OAUTH_PATHS } from "./mcp/auth/oauth.ts";
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

/** The socket's address: the rate limits count failures per client address. */
const peerOf = (server: { requestIP(request: Request): { address: string } | null } | null, request: Request) => server?.requestIP(request)?.address ?? null;

export function createOrchestrationApp(ctx: ServiceContext) {
  const access = ctx.config.mcpAccess;
  const oauth = createOAuth({ sql: ctx.sql, apiKey: ctx.apiKey, access });
  const mcp = createMcpEndpoint(createMcpDeps(ctx.client, ctx.config.mode), ctx.log, createLiveFeed(ctx.bus, ctx.log), { access, oauth });
  const oauthRoutes = new Elysia();
  // Elysia's route methods add to the instance they are called on.
  for (const path of OAUTH_PATHS) oauthRoutes.all(path, ({ request, server }) => oauth.handle(request, peerOf(server, request)), { parse: "none" });
  return mount(createServiceApp(ctx, [MCP_PATH, ...OAUTH_PATHS]), systemHealthRoute, () => systemHealth(ctx))
    .all(MCP_PATH, ({ request, server }) => mcp.handle(request, peerOf(server, request)), { parse: "none" })
    .use(oauthRoutes)
    .onStop(() => mcp.stop());
}
