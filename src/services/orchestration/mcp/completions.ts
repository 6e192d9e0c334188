/**
 * completion/complete for prompt and resource-template arguments, from live data: symbols from the
 * positions and the latest scan, cycle ids, open position ids, open doctor issue keys.
 */
import { doctorIssuesRoute } from "../../../contracts/doctor.ts";
import { latestScanRoute } from "../../../contracts/scanner.ts";
import { listPositionsRoute } from "../../../contracts/trading.ts";
import { listCyclesRoute } from "../../../contracts/workflow.ts";
import { part } from "./analyze.ts";
import type { McpDeps } from "./deps.ts";
import { PROMPTS } from "./prompts.ts";

export type ArgumentKind = "symbol" | "cycleId" | "positionId" | "issueId";

/** MCP returns at most 100 values per completion. */
const MAX_VALUES = 100;

/** The template variables that name something completable. */
const TEMPLATE_KINDS: Record<string, Record<string, ArgumentKind>> = {
  "market-scan://candidates/{symbol}": { symbol: "symbol" },
  "trading-cycle://{id}/status": { id: "cycleId" },
  "trading-cycle://{id}/positions": { id: "cycleId" },
};

export function argumentKind(ref: { type: string; name?: string; uri?: string }, argument: string): ArgumentKind | null {
  if (ref.type === "ref/prompt") return PROMPTS.find((p) => p.name === ref.name)?.argumentKinds[argument] ?? null;
  if (ref.type === "ref/resource") return TEMPLATE_KINDS[ref.uri ?? ""]?.[argument] ?? null;
  return null;
}

async function candidates(kind: ArgumentKind, deps: McpDeps): Promise<string[]> {
  switch (kind) {
    case "symbol": {
      const [positions, scan] = await Promise.all([deps.client.call(listPositionsRoute, { query: { status: "all", limit: 500 } }), part(deps.client.call(latestScanRoute, {}))]);
      return [...positions.positions.map((p) => p.symbol), ...(scan.value?.candidates.map((c) => c.symbol) ?? [])];
    }
    case "cycleId":
      return (await deps.client.call(listCyclesRoute, { query: { limit: 100 } })).cycles.map((c) => c.cycleId);
    case "positionId":
      return (await deps.client.call(listPositionsRoute, { query: { status: "open" } })).positions.map((p) => String(p.positionId));
    case "issueId":
      return (await deps.client.call(doctorIssuesRoute, {})).issues.map((i) => i.issueKey);
  }
}

/** Live values of `kind` starting with `prefix` (case-insensitive), distinct, sorted; total counts them all. */
export async function complete(kind: ArgumentKind, prefix: string, deps: McpDeps): Promise<{ values: string[]; total: number; hasMore: boolean }> {
  const wanted = prefix.toUpperCase();
  const matching = [...new Set(await candidates(kind, deps))].filter((v) => v.toUpperCase().startsWith(wanted)).sort();
  return { values: matching.slice(0, MAX_VALUES), total: matching.length, hasMore: matching.length > MAX_VALUES };
}
