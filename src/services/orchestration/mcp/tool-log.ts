/** Every MCP tool call, attributed in claude_activity_log (who: mcp) through the trading service's activity route. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { recordToolCallRoute } from "../../../contracts/doctor.ts";
import type { McpDeps } from "./deps.ts";

/** Arguments as logged: a confirm token is a one-time credential, so only that one was given is kept. */
function loggedArguments(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, k === "confirmToken" ? "[given]" : v]));
}

/** What the activity log says about one position, cycle or symbol the call was about. */
function entityOf(args: Record<string, unknown>): string | undefined {
  if (typeof args.positionId === "number") return `position:${args.positionId}`;
  if (typeof args.cycleId === "string") return `cycle:${args.cycleId}`;
  if (typeof args.symbol === "string") return `symbol:${args.symbol.toUpperCase()}`.slice(0, 100);
  return undefined;
}

/**
 * Records the call; a log that cannot be written does not undo or fail the call (the action was
 * taken, or refused, either way) but is reported on stderr.
 */
export async function recordToolCall(deps: McpDeps, tool: string, args: Record<string, unknown>, result: CallToolResult, sessionId: string | undefined): Promise<void> {
  const error = result.isError ? (result.structuredContent as { error?: { code: string; message: string } } | undefined)?.error : undefined;
  const phase = typeof args.confirmToken === "string" ? "confirm" : "preview or call";
  try {
    await deps.client.call(recordToolCallRoute, {
      body: {
        tool: /^[a-z][a-z0-9_]*$/.test(tool) ? tool.slice(0, 64) : "unknown_tool",
        arguments: loggedArguments(args),
        result: error ? "failed" : "success",
        summary: error ? `${phase} refused: ${error.code}` : `${phase} answered`,
        ...(error ? { errorMessage: `${error.code}: ${error.message}`.slice(0, 1000) } : {}),
        ...(entityOf(args) ? { entity: entityOf(args) } : {}),
        ...(sessionId ? { sessionId: sessionId.slice(0, 200) } : {}),
      },
    });
  } catch (failure) {
    console.error(`catalyst mcp: could not record the ${tool} call in the activity log: ${(failure as Error).message}`);
  }
}
