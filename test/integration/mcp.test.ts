/**
 * MCP over real HTTP with the SDK's own client, against the whole appliance (embedded backend,
 * the venue at 10:30 on a trading day): the key is required, every tool and resource is listed
 * and answers, bad parameters and bad confirm tokens change nothing, a previewed trade executes once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { servicePort } from "../../src/config.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RouteContract } from "../../src/contracts/route.ts";
import { TOOLS } from "../../src/services/orchestration/mcp/tools.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS } from "../support/env.ts";
import { callTool, connectMcp, mcpUrl as mcpUrlOf, type ToolAnswer } from "../support/mcp.ts";

let t: TestAppliance & { restart(): Promise<TestAppliance> };
let client: Client;
let mcpUrl: URL;

const connect = (headers: Record<string, string>) => connectMcp(mcpUrl, headers);
const call = (name: string, args: Record<string, unknown> = {}) => callTool(client, name, args);

beforeAll(async () => {
  t = await startTestAppliance(BACKENDS.find((b) => b.name === "embedded")!, { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "100000" });
  mcpUrl = mcpUrlOf(t.config);
  client = await connect({ "x-api-key": t.key });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.stop();
});

describe("MCP over HTTP", () => {
  test("no key or a wrong key: 401 and no session; Authorization: Bearer works like X-API-Key", async () => {
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } };
    const post = (headers: Record<string, string>) =>
      fetch(mcpUrl, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(initialize) });
    expect((await post({})).status).toBe(401);
    expect((await post({ "x-api-key": "wrong-key-0123456789" })).status).toBe(401);
    await expect(connect({ authorization: "Bearer not-the-key-0123456789" })).rejects.toThrow();
    const bearer = await connect({ authorization: `Bearer ${t.key}` });
    expect((await bearer.listTools()).tools.length).toBe(TOOLS.length);
    await bearer.close();
  });

  test("every tool is listed with a description, a bounded input schema and annotations; destructive ones say so", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(TOOLS.map((x) => x.name).sort());
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe("object");
      expect(typeof tool.annotations?.readOnlyHint).toBe("boolean");
    }
    const destructive = tools.filter((x) => x.annotations?.destructiveHint).map((x) => x.name).sort();
    expect(destructive).toEqual(["adjust_position", "clear_emergency_stop", "close_position", "emergency_stop", "execute_trade", "stop_trading_cycle"]);
    const preview = tools.find((x) => x.name === "preview_trade")!;
    expect((preview.inputSchema.properties as any).qty.maximum).toBe(1_000_000);
  });

  test("bad parameters: a tool error naming the field, nothing done", async () => {
    const missing = await call("preview_trade", { symbol: "AAPL", side: "long", type: "market", takeProfit: "200" });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent.error.code).toBe("invalid_parameter");
    expect(missing.structuredContent.error.field).toBe("stopLoss");
    const badMode = await call("start_trading_cycle", { mode: "yolo" });
    expect(badMode.structuredContent.error).toMatchObject({ code: "invalid_parameter", field: "mode" });
    const shortReason = await call("emergency_stop", { reason: "x" });
    expect(shortReason.structuredContent.error).toMatchObject({ code: "invalid_parameter", field: "reason" });
    expect((await t.sql`select count(*)::int as n from orders`)[0]!.n).toBe(0);
    expect((await t.sql`select kill_switch_active from risk_state`)[0]!.kill_switch_active).toBe(false);
  });
});

describe("MCP tools and resources against the running appliance", () => {
  test("every static resource and template reads as JSON stating the mode; an unknown one is not found", async () => {
    const { resources } = await client.listResources();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resources.map((r) => r.uri).sort()).toEqual(
      [
        "doctor://activity",
        "doctor://issues",
        "doctor://status",
        "market-scan://latest",
        "performance://daily",
        "performance://weekly",
        "positions://current",
        "positions://history",
        "risk://status",
        "system://health",
        "trading-cycle://current",
      ].sort(),
    );
    expect(resourceTemplates.map((r) => r.uriTemplate).sort()).toEqual(["market-scan://candidates/{symbol}", "trading-cycle://{id}/positions", "trading-cycle://{id}/status"]);
    for (const uri of ["performance://daily", "performance://weekly", "positions://current", "positions://history", "risk://status", "system://health", "doctor://status", "doctor://issues", "doctor://activity"]) {
      const read = await client.readResource({ uri });
      const body = JSON.parse((read.contents[0] as { text: string }).text);
      expect(body.mode).toBe("sim");
      expect(body.data).toBeDefined();
    }
    await expect(client.readResource({ uri: "trading-cycle://current" })).rejects.toThrow(/not_found/);
    await expect(client.readResource({ uri: "nothing://here" })).rejects.toThrow(/not_found/);
  });

  test("preview → execute once: the token places exactly the previewed trade; reused, forged or mismatched tokens send nothing", async () => {
    const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
    const trade = { symbol, side: "long", type: "market", stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.08).toFixed(2) };
    const preview = await call("preview_trade", trade);
    expect(preview.isError).toBeFalsy();
    const p = preview.structuredContent;
    expect(p.mode).toBe("sim");
    expect(p.approved).toBe(true);
    expect(p.decision.verdicts.length).toBeGreaterThanOrEqual(15);
    expect(p.trade.qty).toBe(p.decision.sizing.qty);
    expect(Number(p.decision.sizing.riskUsd)).toBeGreaterThan(0);
    const ordersBefore = (await t.sql`select count(*)::int as n from orders`)[0]!.n;

    const forged = await call("execute_trade", { ...trade, confirmToken: `${p.confirmToken.split(".")[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` });
    expect(forged.structuredContent.error.code).toBe("confirm_token_bad_signature");
    const mismatched = await call("execute_trade", { ...trade, stopLoss: (price * 0.9).toFixed(2), confirmToken: p.confirmToken });
    expect(mismatched.structuredContent.error.code).toBe("confirm_token_mismatch");
    expect(mismatched.structuredContent.error.message).toContain("stopLoss");
    expect((await t.sql`select count(*)::int as n from orders`)[0]!.n).toBe(ordersBefore);

    const executed = await call("execute_trade", { ...trade, confirmToken: p.confirmToken });
    expect(executed.isError).toBeFalsy();
    expect(Number(executed.structuredContent.placement.order.qty)).toBe(p.trade.qty);
    const [entry] = await t.sql`select metadata->>'source' as source from orders where order_id = ${executed.structuredContent.placement.order.orderId}`;
    expect(entry!.source).toBe("mcp");
    const reused = await call("execute_trade", { ...trade, confirmToken: p.confirmToken });
    expect(reused.structuredContent.error.code).toBe("confirm_token_used");
    const entries = await t.sql`select count(*)::int as n from orders where role = 'entry'`;
    expect(entries[0]!.n).toBe(1);
  });

  test("a cycle, positions, close, risk, limits within the bounds, performance, analysis, emergency stop", async () => {
    const started = await call("start_trading_cycle", { mode: "normal" });
    expect(started.structuredContent.cycle.state).toBeDefined();
    const cycleId = started.structuredContent.cycle.cycleId;
    const again = await call("start_trading_cycle", { mode: "normal" });
    expect(again.structuredContent.error.code).toBe("conflict");
    const status = JSON.parse(((await client.readResource({ uri: `trading-cycle://${cycleId}/status` })).contents[0] as { text: string }).text);
    expect(status.data.cycleId).toBe(cycleId);

    const scan = await call("get_scan_results", {});
    expect(["not_found", undefined]).toContain(scan.structuredContent.error?.code);

    const { symbol } = (await liquidSymbols(t, 2))[1]!;
    const analysis = await call("analyze_symbol", { symbol });
    expect(analysis.isError).toBeFalsy();
    expect(analysis.structuredContent.indicators.symbol).toBe(symbol);
    expect(analysis.structuredContent.untrustedExternalNews?.untrustedContent ?? true).toBe(true);

    let open: any[] = [];
    for (let i = 0; i < 50 && open.length === 0; i++) {
      await Bun.sleep(100);
      open = (await call("get_positions", {})).structuredContent.positions;
    }
    expect(open.length).toBe(1);
    // The doctor finds the books and the venue in agreement: one open position, its stop working.
    const doctor = await call("run_doctor", {});
    expect(doctor.isError).toBeFalsy();
    expect(doctor.structuredContent.doctor.report).toMatchObject({ version: "1.0", mode: "sim", status: "ok" });
    expect(doctor.structuredContent.doctor.report.checks.find((c: { check: string }) => c.check === "missing_stop").issues).toEqual([]);
    const doctorStatus = JSON.parse(((await client.readResource({ uri: "doctor://status" })).contents[0] as { text: string }).text);
    expect(doctorStatus.data.lastSweep.sweepId).toBe(doctor.structuredContent.doctor.sweepId);
    expect((await call("run_doctor", { check: "no_such_check" })).structuredContent.error).toMatchObject({ code: "invalid_parameter", field: "check" });

    const closed = await call("close_position", { positionId: open[0].positionId, reason: "mcp test" });
    expect(closed.isError).toBeFalsy();
    expect(closed.structuredContent.exitOrder).toBeDefined();
    const unknown = await call("close_position", { positionId: 999999 });
    expect(unknown.structuredContent.error.code).toBe("not_found");

    const risk = await call("get_risk_status", {});
    expect(risk.structuredContent.risk.killSwitch.active).toBe(false);
    const beyond = await call("update_risk_parameters", { changes: { maxOpenPositions: 100 }, reason: "more" });
    expect(beyond.isError).toBe(true);
    expect(beyond.structuredContent.error.message).toContain("maxOpenPositions");
    const within = await call("update_risk_parameters", { changes: { maxOpenPositions: 3 }, reason: "fewer at once" });
    expect(within.structuredContent.risk.parameters.maxOpenPositions).toBe(3);

    const performance = await call("get_performance_report", { period: "day" });
    expect(performance.structuredContent.performance.period).toBe("day");

    const stop = await call("emergency_stop", { reason: "end of the MCP test" });
    expect(stop.structuredContent.stop.killSwitch.active).toBe(true);
    const stopped = await call("stop_trading_cycle", { cycleId });
    expect(stopped.structuredContent.cycle.state).toBe("closed");
  });
});

describe("catalyst mcp --stdio", () => {
  test("a local client lists the same tools and gets the risk status from the running appliance", async () => {
    const env = {
      PATH: process.env.PATH ?? "",
      CATALYST_API_KEY: t.key,
      CATALYST_PORT_BASE: String(t.config.portBase),
      CATALYST_DATA_DIR: t.config.dataDir,
      CATALYST_LOG_LEVEL: "error",
    };
    const local = new Client({ name: "catalyst-stdio-test", version: "1.0.0" });
    await local.connect(new StdioClientTransport({ command: process.execPath, args: [join(import.meta.dir, "../../src/cli.ts"), "mcp", "--stdio"], env, stderr: "ignore" }));
    try {
      expect((await local.listTools()).tools.map((x) => x.name).sort()).toEqual(TOOLS.map((x) => x.name).sort());
      const risk = (await local.callTool({ name: "get_risk_status", arguments: {} })) as ToolAnswer;
      expect(risk.isError).toBeFalsy();
      expect(risk.structuredContent.mode).toBe("sim");
      expect(typeof risk.structuredContent.risk.killSwitch.active).toBe("boolean");
    } finally {
      await local.close();
    }
  });
});

describe("orchestration can only call what exists", () => {
  test("every contract route the MCP code imports is in its service's OpenAPI document, same method", async () => {
    const dir = join(import.meta.dir, "../../src/services/orchestration/mcp");
    const imported = new Map<string, string>(); // route name -> contracts module
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const [, names, module] of source.matchAll(/import \{([^}]+)\} from "\.\.\/\.\.\/\.\.\/contracts\/(\w+)\.ts"/g)) {
        for (const name of names!.split(",").map((n) => n.trim().replace(/^type /, ""))) if (name.endsWith("Route")) imported.set(name, module!);
      }
    }
    expect(imported.size).toBeGreaterThanOrEqual(15);
    const documents = new Map<string, any>();
    for (const [name, module] of imported) {
      const contract = (await import(`../../src/contracts/${module}.ts`))[name] as RouteContract;
      const service = contract.service === "every" ? "orchestration" : contract.service;
      if (!documents.has(service)) {
        const response = await fetch(`http://127.0.0.1:${servicePort(t.config, service)}/openapi/json`, { headers: { "x-api-key": t.key } });
        documents.set(service, await response.json());
      }
      const openApiPath = contract.path.replace(/:(\w+)/g, "{$1}");
      const operation = documents.get(service).paths?.[openApiPath]?.[contract.method.toLowerCase()];
      expect({ route: name, service, path: openApiPath, method: contract.method, served: operation !== undefined }).toMatchObject({ served: true });
    }
  });
});
