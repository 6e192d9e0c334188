/** Writing the activity log for MCP: every tool call Claude makes, attributed to who "mcp". */
import { recordToolCallRoute } from "../../contracts/doctor.ts";
import { logActivity } from "../../doctor/activity.ts";
import type { ServiceContext } from "../../runtime/context.ts";
import { mount, type ServiceApp } from "../../runtime/http.ts";

export function mountActivityRoutes(app: ServiceApp, ctx: ServiceContext): void {
  mount(app, recordToolCallRoute, async ({ body }) => ({
    logId: await logActivity(ctx.sql, {
      observationType: "manual_check",
      sessionId: body.sessionId ?? null,
      actionType: "none",
      actionDetail: `${body.tool}: ${body.summary}`.slice(0, 1000),
      actionTarget: "mcp_tool",
      actionResult: body.result,
      errorMessage: body.errorMessage ?? null,
      entity: body.entity ?? null,
      metadata: { who: "mcp", tool: body.tool, arguments: body.arguments },
    }),
  }));
}
