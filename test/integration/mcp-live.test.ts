/**
 * Live MCP over the real Streamable HTTP transport with the SDK's client, on both backends (the
 * notifications ride the bus: in-process and Redis). A client subscribed to positions://current
 * gets notifications/resources/updated after a fill at the venue (the delay is measured and
 * printed, not asserted); after unsubscribing it gets none; at logging level warning it gets the
 * emergency stop (alert) and the daily-loss warning the risk monitor raises on a real loss, and no
 * fills; at info it gets fills. doctor://issues and trading-cycle://current follow the doctor and the cycle.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import { join } from "node:path";
import { compareDecimal, divideDecimal, multiplyDecimal } from "../../src/domain/money.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";
import { callTool, mcpUrl } from "../support/mcp.ts";

/** What reached a client over its SSE stream, in order, with when it arrived. */
type Received = { at: number; kind: "updated"; uri: string } | { at: number; kind: "message"; level: LoggingLevel; data: Record<string, any> };

function noting(client: Client): Received[] {
  const received: Received[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void received.push({ at: performance.now(), kind: "updated", uri: n.params.uri }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
    void received.push({ at: performance.now(), kind: "message", level: n.params.level, data: n.params.data as Record<string, any> }),
  );
  return received;
}

/** The SDK client, noting every live notification; `streaming` resolves once its GET SSE stream is open. */
async function connectLive(url: URL, key: string) {
  const streaming = Promise.withResolvers<void>();
  const watchingFetch: typeof fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (init?.method === "GET" && response.ok && response.headers.get("content-type")?.includes("text/event-stream")) streaming.resolve();
    return response;
  }) as typeof fetch;
  const client = new Client({ name: "catalyst-live-test", version: "1.0.0" });
  const received = noting(client);
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { "x-api-key": key } }, fetch: watchingFetch }));
  await streaming.promise;
  return { client, received };
}

const isMessage = (r: Received, field: string, value: unknown): r is Extract<Received, { kind: "message" }> => r.kind === "message" && r.data[field] === value;

/** The index of the first notification from `from` on that matches, once it has arrived. */
const indexOf = (what: string, client: { received: Received[] }, match: (r: Received) => boolean, from = 0) =>
  waitFor(
    what,
    async () => {
      const i = client.received.findIndex((r, at) => at >= from && match(r));
      return i >= 0 ? i + 1 : null;
    },
    30_000,
    20,
  ).then((i) => i - 1);

for (const backend of BACKENDS) {
  describe(`live MCP notifications on ${backend.name}`, () => {
    let t: TestAppliance;
    let info: Awaited<ReturnType<typeof connectLive>>;
    let warn: Awaited<ReturnType<typeof connectLive>>;
    let symbol = "";
    let price = 0;

    beforeAll(async () => {
      t = await startTestAppliance(backend, { VENUE_START: "2026-03-10T10:30", RISK_MONITOR_SECONDS: "0.2", BROKER_REQUESTS_PER_MINUTE: "1000000", DOCTOR_TICK_SECONDS: "86400" }, [
        "venue",
        "risk",
        "trading",
        "workflow",
        "orchestration",
      ]);
      await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
      ({ symbol, price } = (await liquidSymbols(t, 1))[0]!);
      info = await connectLive(mcpUrl(t.config), t.key);
      warn = await connectLive(mcpUrl(t.config), t.key);
      await info.client.setLoggingLevel("info");
      await warn.client.setLoggingLevel("warning");
    }, 60_000);

    afterAll(async () => {
      await info?.client.close();
      await warn?.client.close();
      await t?.stop();
    });

    const entry = () => ({ symbol, side: "long", type: "market", qty: Math.floor(5000 / price), stopLoss: (price * 0.97).toFixed(2), takeProfit: (price * 1.08).toFixed(2), source: "api" });
    const openPosition = async () => (await t.api("trading", "/api/v1/positions?status=open")).body.positions.find((p: { symbol: string }) => p.symbol === symbol);

    /** Buys at market through trading, then lets the paused venue clock run 2 s so it fills; resolves with the order and when the clock started. */
    async function buy(): Promise<{ orderId: number; filledFrom: number }> {
      const placed = await t.api("trading", "/api/v1/orders", { body: entry() });
      expect(placed).toMatchObject({ status: 200 });
      const filledFrom = performance.now();
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the entry's position", openPosition);
      return { orderId: placed.body.order.orderId, filledFrom };
    }

    async function sell(): Promise<void> {
      const position = await openPosition();
      const closed = await t.api("trading", `/api/v1/positions/${position.positionId}/close`, { body: { reason: "live mcp test" } });
      expect(closed.status).toBe(200);
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the position closed", async () => !(await openPosition()));
    }

    test("subscribed to positions://current: notifications/resources/updated after a fill at the venue; at info the fill itself is logged", async () => {
      await info.client.subscribeResource({ uri: "positions://current" });
      const { orderId, filledFrom } = await buy();
      const update = info.received[await indexOf("notifications/resources/updated", info, (r) => r.kind === "updated")]!;
      expect(update).toMatchObject({ kind: "updated", uri: "positions://current" });
      console.log(`[mcp-live ${backend.name}] fill → notifications/resources/updated: ${Math.round(update.at - filledFrom)} ms from the venue clock advance (target ≤ 1000 ms)`);
      const fill = info.received[await indexOf("the fill's log message", info, (r) => isMessage(r, "orderId", orderId))]!;
      expect(fill).toMatchObject({ kind: "message", level: "info", data: { event: "fill", orderId } });
      console.log(`[mcp-live ${backend.name}] fill → notifications/message (info): ${Math.round(fill.at - filledFrom)} ms`);
      // Never subscribed: the other client hears of no resource.
      expect(warn.received.filter((r) => r.kind === "updated")).toEqual([]);
    }, 60_000);

    /** Where the emergency stop's notice sits in the info client's stream: sent after its unsubscribe was answered. */
    let stopNotice = -1;

    test("unsubscribed, then emergency_stop over MCP: the stop is logged as alert, its flatten's fill at info, and no resource update follows", async () => {
      await info.client.unsubscribeResource({ uri: "positions://current" });
      const stop = await callTool(info.client, "emergency_stop", { reason: "live mcp test: flatten" });
      expect(stop.isError).toBeFalsy();
      await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
      await waitFor("the flattened position closed", async () => !(await openPosition()));
      const cleared = await t.api("risk", "/api/v1/risk/emergency-stop?clearedBy=test", { method: "DELETE" });
      expect(cleared.status).toBe(200);

      stopNotice = await indexOf("the emergency stop's log message", info, (r) => isMessage(r, "kind", "kill_switch"));
      expect(info.received[stopNotice]).toMatchObject({ level: "alert", data: { event: "risk_alert", kind: "kill_switch" } });
      const flattenFill = await indexOf("the flatten's fill", info, (r) => isMessage(r, "event", "fill"), stopNotice);
      expect(info.received[flattenFill]).toMatchObject({ level: "info" });
      await indexOf("the stop cleared (info)", info, (r) => isMessage(r, "kind", "kill_switch_cleared"), flattenFill);
      // Everything sent before the unsubscribe precedes the stop's notice on this stream.
      expect(info.received.slice(stopNotice).filter((r) => r.kind === "updated")).toEqual([]);
    }, 60_000);

    test("at warning: the daily-loss warning of a real loss and the emergency stop arrive, fills and info notices do not", async () => {
      // Round trips until the spread has made a real loss (the first one usually has).
      let loss = "0";
      for (let trip = 0; trip < 8; trip++) {
        loss = multiplyDecimal((await t.api("risk", "/api/v1/risk/status")).body.dailyPnl.accountChange, "-1");
        if (compareDecimal(loss, "0") > 0) break;
        await buy();
        await sell();
      }
      expect(compareDecimal(loss, "0")).toBeGreaterThan(0);
      const limit = divideDecimal(multiplyDecimal(loss, "100"), "80", 2, "floor");
      const changed = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: limit }, reason: "live mcp test" } });
      expect(changed.status).toBe(200);

      const warning = await indexOf("the daily-loss warning on the warning client", warn, (r) => isMessage(r, "kind", "daily_loss_warning"));
      expect(warn.received[warning]).toMatchObject({ level: "warning", data: { event: "risk_alert", kind: "daily_loss_warning" } });
      // Everything before the warning went down the same stream: the stop (alert) came; no fill, no info notice, no update did.
      const before = warn.received.slice(0, warning);
      expect(before.filter((r) => r.kind === "message" && isMessage(r, "kind", "kill_switch")).map((r) => r.kind === "message" && r.level)).toEqual(["alert"]);
      expect(before.filter((r) => r.kind !== "message" || !["warning", "error", "critical", "alert", "emergency"].includes(r.level))).toEqual([]);

      // The info client gets the warning too, still with no resource update since its unsubscribe.
      const infoWarning = await indexOf("the daily-loss warning on the info client", info, (r) => isMessage(r, "kind", "daily_loss_warning"), stopNotice);
      expect(info.received.slice(stopNotice, infoWarning).filter((r) => r.kind === "updated")).toEqual([]);
    }, 90_000);

    test("catalyst mcp --stdio is live with Redis (subscription and fill message), and says it is not without", async () => {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        CATALYST_API_KEY: t.key,
        CATALYST_PORT_BASE: String(t.config.portBase),
        CATALYST_DATA_DIR: t.config.dataDir,
        CATALYST_LOG_LEVEL: "error",
        ...(t.config.redisUrl ? { REDIS_URL: t.config.redisUrl, CATALYST_BUS_NAMESPACE: t.config.busNamespace } : {}),
      };
      const local = new Client({ name: "catalyst-stdio-live-test", version: "1.0.0" });
      const received = noting(local);
      await local.connect(new StdioClientTransport({ command: process.execPath, args: [join(import.meta.dir, "../../src/cli.ts"), "mcp", "--stdio"], env, stderr: "ignore" }));
      try {
        if (!t.config.redisUrl) {
          expect(local.getServerCapabilities()?.resources?.subscribe).toBeUndefined();
          expect(local.getServerCapabilities()?.logging).toBeUndefined();
          return;
        }
        expect(local.getServerCapabilities()).toMatchObject({ resources: { subscribe: true }, logging: {} });
        await local.setLoggingLevel("info");
        await local.subscribeResource({ uri: "positions://current" });
        // Room for one more entry under the daily-loss budget (the day's warning was given once and stays given).
        const raised = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: "2000" }, reason: "live mcp test" } });
        expect(raised.status).toBe(200);
        const { orderId } = await buy();
        await indexOf("positions://current updated over stdio", { received }, (r) => r.kind === "updated" && r.uri === "positions://current");
        await indexOf("the fill's message over stdio", { received }, (r) => isMessage(r, "orderId", orderId));
        await sell();
      } finally {
        await local.close();
      }
    }, 60_000);

    test("doctor://issues: a position vanishes at the venue, run_doctor over MCP opens a critical issue: an update for the subscriber, a critical message for both", async () => {
      await info.client.subscribeResource({ uri: "doctor://issues" });
      const raised = await t.api("risk", "/api/v1/risk/parameters", { method: "PUT", body: { changes: { maxDailyLoss: "2000" }, reason: "live mcp test" } });
      expect(raised.status).toBe(200);
      const from = { info: info.received.length, warn: warn.received.length };
      await buy();
      expect((await t.venue(`/admin/v1/positions/${symbol}/vanish`, { body: {} })).vanished).toBeTruthy();
      const doctor = await callTool(info.client, "run_doctor", {});
      expect(doctor.structuredContent.doctor.report.status).toBe("critical");

      const update = await indexOf("notifications/resources/updated for doctor://issues", info, (r) => r.kind === "updated", from.info);
      expect(info.received[update]).toMatchObject({ uri: "doctor://issues" });
      const critical = await indexOf("the doctor's critical message", warn, (r) => isMessage(r, "event", "doctor_issues"), from.warn);
      expect(warn.received[critical]).toMatchObject({ level: "critical", data: { opened: [{ type: "phantom_position", severity: "critical" }] } });
      await indexOf("the doctor's critical message on the info client", info, (r) => isMessage(r, "event", "doctor_issues"), from.info);
    }, 60_000);

    test("trading-cycle://current: starting and stopping a cycle over MCP updates it and logs the state at notice (below warning)", async () => {
      await info.client.subscribeResource({ uri: "trading-cycle://current" });
      const from = { info: info.received.length, warn: warn.received.length };
      const started = await callTool(info.client, "start_trading_cycle", { mode: "conservative" });
      expect(started.isError).toBeFalsy();
      const cycleId = started.structuredContent.cycle.cycleId as string;
      const update = await indexOf("notifications/resources/updated for trading-cycle://current", info, (r) => r.kind === "updated" && r.uri === "trading-cycle://current", from.info);
      const notice = await indexOf("the cycle's start message", info, (r) => isMessage(r, "event", "cycle") && r.data.previousState === null, from.info);
      expect(info.received[notice]).toMatchObject({ level: "notice", data: { cycleId } });

      const stopped = await callTool(info.client, "stop_trading_cycle", { cycleId, reason: "live mcp test" });
      expect(stopped.isError).toBeFalsy();
      await indexOf("a second update for trading-cycle://current", info, (r) => r.kind === "updated" && r.uri === "trading-cycle://current", update + 1);
      const closed = await indexOf("the cycle's close message", info, (r) => isMessage(r, "event", "cycle") && r.data.state === "closed", notice + 1);
      expect(info.received[closed]).toMatchObject({ level: "notice", data: { cycleId, state: "closed" } });
      // Notices are below warning: the warning client heard none of them.
      expect(warn.received.slice(from.warn).filter((r) => isMessage(r, "event", "cycle") && r.kind === "message" && r.level === "notice")).toEqual([]);
    }, 60_000);
  });
}

for (const backend of BACKENDS) {
  describe(`the scheduled doctor's issues reach MCP on ${backend.name}`, () => {
    test("a position vanishes at the venue: the doctor inside serve (no run_doctor) opens a critical issue, and a subscriber hears it", async () => {
      const t = await startTestAppliance(backend, { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "1000000", DOCTOR_TICK_SECONDS: "1" }, [
        "venue",
        "risk",
        "trading",
        "orchestration",
      ]);
      let live: Awaited<ReturnType<typeof connectLive>> | null = null;
      try {
        await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
        const { symbol, price } = (await liquidSymbols(t, 1))[0]!;
        live = await connectLive(mcpUrl(t.config), t.key);
        await live.client.subscribeResource({ uri: "doctor://issues" });
        const placed = await t.api("trading", "/api/v1/orders", {
          body: { symbol, side: "long", type: "market", qty: 10, stopLoss: (price * 0.9).toFixed(2), takeProfit: (price * 1.25).toFixed(2), source: "api" },
        });
        expect(placed).toMatchObject({ status: 200 });
        await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
        await waitFor("the open position", async () => (await t.api("trading", "/api/v1/positions?status=open")).body.positions.length === 1);
        expect((await t.venue(`/admin/v1/positions/${symbol}/vanish`, { body: {} })).vanished).toBeTruthy();
        // Past the schedule's 5 market minutes: its next look sweeps.
        await t.venue("/admin/v1/clock/advance", { body: { seconds: 360 } });

        const notice = await indexOf("the scheduled doctor's critical message", live, (r) => isMessage(r, "event", "doctor_issues") && r.data.opened.some((i: { type: string }) => i.type === "phantom_position"));
        expect(live.received[notice]).toMatchObject({ level: "critical" });
        await indexOf("notifications/resources/updated for doctor://issues", live, (r) => r.kind === "updated" && r.uri === "doctor://issues");
        const sweepId = (live.received[notice] as Extract<Received, { kind: "message" }>).data.sweepId;
        const sweeps = await t.sql`select triggered_by from doctor_sweeps where sweep_id = ${sweepId}`;
        expect(sweeps.map((r) => r.triggered_by)).toEqual(["schedule"]);
      } finally {
        await live?.client.close();
        await t.stop();
      }
    }, 90_000);
  });
}
