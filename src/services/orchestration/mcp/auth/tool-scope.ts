/**
 * Scope on tool calls: a tool not annotated read-only can change exposure and needs `trade`. The
 * refusal is the MCP authorization spec's insufficient_scope answer (403 with a Bearer challenge
 * naming the scope), its body a JSON-RPC error a model can repeat to the trader.
 */
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { publicBase } from "../../../../domain/oauth/request-origin.ts";
import { SCOPES, scopeForTool, type Scope } from "../../../../domain/oauth/scope.ts";
import { TOOLS } from "../tools.ts";
import { resourceMetadataUrl } from "./metadata.ts";

const NEEDED = new Map<string, Scope>(TOOLS.map((tool) => [tool.name, scopeForTool(tool.annotations)]));

/** MCP's code for a request the caller is not allowed to make (outside JSON-RPC's reserved range's standard codes). */
const FORBIDDEN = -32003;

export function scopeRefusal(body: unknown, authInfo: AuthInfo, host: string): Response | null {
  for (const message of Array.isArray(body) ? body : [body]) {
    const call = message as { method?: unknown; id?: unknown; params?: { name?: unknown } } | null;
    if (call?.method !== "tools/call" || typeof call.params?.name !== "string") continue;
    // An unknown tool needs nothing: the server answers that it does not exist.
    const needed = NEEDED.get(call.params.name) ?? "read";
    if (authInfo.scopes.includes(needed)) continue;
    const text = `insufficient_scope: ${call.params.name} can change exposure and needs the "${needed}" scope; this connection was granted "${authInfo.scopes.join(" ")}". Nothing was done. To trade, reconnect the Catalyst connector and tick "Allow trading".`;
    const challenge = `Bearer error="insufficient_scope", scope="${SCOPES.join(" ")}", resource_metadata="${resourceMetadataUrl(publicBase(host))}", error_description="${call.params.name} needs the ${needed} scope"`;
    return Response.json(
      { jsonrpc: "2.0", error: { code: FORBIDDEN, message: text, data: { requiredScope: needed } }, id: typeof call.id === "string" || typeof call.id === "number" ? call.id : null },
      { status: 403, headers: { "www-authenticate": challenge } },
    );
  }
  return null;
}
