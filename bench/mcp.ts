/**
 * MCP figures: tool calls through the SDK's own client over Streamable HTTP against orchestration
 * (venue, risk, trading running; embedded database), each beside the direct REST call the tool
 * wraps, made through the same fetch: get_positions (three open positions) against GET
 * /api/v1/positions, and preview_trade + execute_trade against risk validate + POST /api/v1/orders.
 * MCP and REST alternate call by call so the machine's noise falls on both alike. The venue clock
 * is paused: each entry is a limit 1.5 % under the market, cancelled (unmeasured) before the next.
 */
import { liquidSymbols } from "../test/support/appliance.ts";
import { waitFor } from "../test/support/env.ts";
import { callTool, connectMcp, mcpUrl } from "../test/support/mcp.ts";
import { startBenchAppliance } from "./sim-appliance.ts";
import { fmt, median, percentile, timedWithResult } from "./stats.ts";

const READS = Number(process.env.BENCH_MCP_READS ?? 500);
// Every entry counts against the day's 1,000 (the hard bound the bench appliance allows), both ways.
const TRADES = Number(process.env.BENCH_MCP_TRADES ?? 400);
const WARMUP = 10;
const OPEN_POSITIONS = 3;

const t = await startBenchAppliance(["venue", "risk", "trading", "orchestration"]);
const [benchSymbol, ...held] = await liquidSymbols(t, 1 + OPEN_POSITIONS);
const bracket = (price: number) => ({ stopLoss: (price * 0.975).toFixed(2), takeProfit: (price * 1.06).toFixed(2) });

// A few filled positions, so get_positions carries rows: market entries, then the paused clock moved past their fill.
for (const { symbol, price } of held) {
  const placed = await t.api("trading", "/api/v1/orders", { body: { symbol, side: "long", type: "market", qty: 1, source: "api", ...bracket(price) } });
  if (placed.status !== 200) throw new Error(`opening ${symbol} failed: ${JSON.stringify(placed.body)}`);
}
await t.venue("/admin/v1/clock/advance", { method: "POST", body: { seconds: 5 } });
await waitFor("the bench positions to fill", async () => (await t.api("trading", "/api/v1/positions")).body.positions.length === OPEN_POSITIONS);

const client = await connectMcp(mcpUrl(t.config), { "x-api-key": t.key });

// ---- get_positions ----
const positions = { mcp: [] as number[], rest: [] as number[] };
for (let i = 0; i < WARMUP + READS; i++) {
  const [mcpMs, viaMcp] = await timedWithResult(() => callTool(client, "get_positions"));
  const [restMs, viaRest] = await timedWithResult(() => t.api("trading", "/api/v1/positions"));
  if (viaMcp.isError || viaMcp.structuredContent.positions.length !== OPEN_POSITIONS) throw new Error(`get_positions: ${JSON.stringify(viaMcp.structuredContent)}`);
  if (viaRest.status !== 200 || viaRest.body.positions.length !== OPEN_POSITIONS) throw new Error(`GET /positions: ${JSON.stringify(viaRest.body)}`);
  if (i < WARMUP) continue;
  positions.mcp.push(mcpMs);
  positions.rest.push(restMs);
}

// ---- preview_trade + execute_trade ----
const trade = { symbol: benchSymbol!.symbol, side: "long", type: "limit", limitPrice: (benchSymbol!.price * 0.985).toFixed(2), ...bracket(benchSymbol!.price) };
const intent = { ...trade, qty: 10 };
const cancel = (orderId: number) => t.api("trading", `/api/v1/orders/${orderId}/cancel`, { body: {} });
const trades = { mcp: [] as number[], rest: [] as number[], preview: [] as number[], execute: [] as number[], validate: [] as number[], place: [] as number[] };
for (let i = 0; i < WARMUP + TRADES; i++) {
  const [previewMs, preview] = await timedWithResult(() => callTool(client, "preview_trade", intent));
  if (!preview.structuredContent.approved) throw new Error(`preview_trade ${i}: ${JSON.stringify(preview.structuredContent)}`);
  const [executeMs, execute] = await timedWithResult(() => callTool(client, "execute_trade", { ...trade, confirmToken: preview.structuredContent.confirmToken }));
  if (execute.isError) throw new Error(`execute_trade ${i}: ${JSON.stringify(execute.structuredContent)}`);
  await cancel(execute.structuredContent.placement.order.orderId);

  // What the tools send: the intent to risk, then the bracket with an idempotency key to trading.
  const [validateMs, validated] = await timedWithResult(() => t.api("risk", "/api/v1/risk/validate", { body: { intent } }));
  if (!validated.body?.approved) throw new Error(`validate ${i}: ${JSON.stringify(validated.body)}`);
  const [placeMs, placed] = await timedWithResult(() => t.api("trading", "/api/v1/orders", { body: { ...intent, source: "api", idempotencyKey: `bench-${crypto.randomUUID()}` } }));
  if (placed.status !== 200) throw new Error(`POST /orders ${i}: ${JSON.stringify(placed.body)}`);
  await cancel(placed.body.order.orderId);

  if (i < WARMUP) continue;
  trades.preview.push(previewMs);
  trades.execute.push(executeMs);
  trades.mcp.push(previewMs + executeMs);
  trades.validate.push(validateMs);
  trades.place.push(placeMs);
  trades.rest.push(validateMs + placeMs);
}

await client.close();
await t.stop();

const p50p99 = (xs: number[]) => `p50 ${fmt(median(xs), 2)} ms, p99 ${fmt(percentile(xs, 99), 2)} ms`;
const overhead = (mcp: number[], rest: number[]) => `+${fmt(median(mcp) - median(rest), 2)} ms (${fmt(median(mcp) / median(rest), 2)}×)`;

console.log(`\nMCP over Streamable HTTP (SDK client; sim venue, embedded database; MCP and REST alternating)`);
console.log(`get_positions, ${READS} calls (${OPEN_POSITIONS} open)   MCP ${p50p99(positions.mcp)}   REST GET /positions ${p50p99(positions.rest)}`);
console.log(`  MCP overhead p50                     ${overhead(positions.mcp, positions.rest)}   target MCP overhead ≤ 5 ms p50`);
console.log(`preview + execute, ${TRADES} trades        MCP ${p50p99(trades.mcp)}   REST validate + POST /orders ${p50p99(trades.rest)}`);
console.log(`  MCP overhead p50                     ${overhead(trades.mcp, trades.rest)}   target MCP overhead ≤ 5 ms p50`);
console.log(`  preview_trade vs risk validate       ${p50p99(trades.preview)} vs ${p50p99(trades.validate)}`);
console.log(`  execute_trade vs POST /orders        ${p50p99(trades.execute)} vs ${p50p99(trades.place)}`);
