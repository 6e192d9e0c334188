/**
 * The workflow over real HTTP on both backends, in sim mode with the venue clock paused and moved
 * by the test: start a cycle, the schedule's first scan at 09:16, stop, restart persistence, a
 * stop that cannot flatten, a day's entries and flatten against a stand-in trading service, and a
 * Saturday.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import type { ScanReport } from "../../src/contracts/scanner.ts";
import type { PlaceOrderBody } from "../../src/contracts/trading.ts";
import type { CycleView } from "../../src/contracts/workflow.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { dayPlan } from "../../src/domain/workflow/day-plan.ts";
import { MODE_SETTINGS } from "../../src/domain/workflow/mode-settings.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { defaultServices } from "../../src/runtime/services.ts";
import { BACKENDS, freePortBase, venueFetch } from "../support/env.ts";

const DAY = "2026-03-10";
const NEXT_DAY = "2026-03-11";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/**
 * Trading as the workflow sees it, on trading's port: records what it is sent; answers entries
 * with an outage, a risk refusal, or a placed order, as the test says.
 */
function standInTrading(port: number) {
  const entries: PlaceOrderBody[] = [];
  const flattens: unknown[] = [];
  const entryAnswers: ("outage" | "refuse")[] = [];
  let orderId = 0;
  const order = (body: PlaceOrderBody) => ({
    orderId: ++orderId,
    clientOrderId: body.idempotencyKey ?? `o${orderId}`,
    brokerOrderId: null,
    parentOrderId: null,
    positionId: null,
    cycleId: body.cycleId ?? null,
    symbol: body.symbol,
    role: "entry",
    orderClass: "bracket",
    side: body.side === "long" ? "buy" : "sell",
    type: "market",
    timeInForce: "gtc",
    qty: "10",
    filledQty: "0",
    limitPrice: null,
    stopPrice: null,
    filledAvgPrice: null,
    status: "submitted",
    brokerStatus: null,
    source: "workflow",
    rejectionReason: null,
    cancelReason: null,
    createdAt: new Date().toISOString(),
    submittedAt: null,
    filledAt: null,
  });
  const error = (status: number, code: string) => Response.json({ error: { code, message: code } }, { status });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === "/api/v1/orders") {
        const body = (await request.json()) as PlaceOrderBody;
        entries.push(body);
        const answer = entryAnswers.shift();
        if (answer === "outage") return error(503, "broker_unavailable");
        if (answer === "refuse") return error(422, "risk_rejected");
        return Response.json({ mode: "sim", outcome: "submitted", order: order(body), legs: [], risk: null, message: "sent" });
      }
      if (request.method === "POST" && path === "/api/v1/flatten") {
        flattens.push(await request.json());
        return Response.json({ mode: "sim", cancelledOrders: 0, closingPositions: 0, problems: [] });
      }
      if (request.method === "GET" && path === "/api/v1/positions") return Response.json({ mode: "sim", positions: [] });
      return error(404, "not_found");
    },
  });
  return { entries, flattens, entryAnswers, stop: () => server.stop(true) };
}

for (const backend of BACKENDS) {
  describe(`workflow on ${backend.name}`, () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    let config: Config;
    let appliance: Appliance;
    let cycle: CycleView;

    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${servicePort(config, "workflow")}${path}`, {
        ...init,
        headers: { "x-api-key": appliance.apiKey.key, "content-type": "application/json" },
      });
    const post = (path: string, body: unknown = {}) => api(path, { method: "POST", body: JSON.stringify(body) });
    const setClock = (wallTime: string, day = DAY) =>
      venueFetch(config, appliance.apiKey.key)("/admin/v1/clock", {
        method: "PUT",
        body: JSON.stringify({ time: new Date(etInstant(day, wallTime)).toISOString(), paused: true }),
      });
    const start = async (venueStart: string, only?: Parameters<typeof startAppliance>[1]) => {
      // The scheduler stays out of the way: the test ticks by hand.
      config = loadConfig({ ...env, CATALYST_PORT_BASE: String(await freePortBase()), CATALYST_LOG_LEVEL: "error", VENUE_START: venueStart, WORKFLOW_TICK_SECONDS: "3600" });
      appliance = await startAppliance(config, only);
      await venueFetch(config, appliance.apiKey.key)("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ paused: true }) });
    };

    beforeAll(async () => {
      const prepared = await backend.prepare();
      env = prepared.env;
      cleanup = prepared.cleanup;
      await start(`${DAY}T09:00`);
    }, 60_000);

    afterAll(async () => {
      await appliance?.stop();
      await cleanup?.();
    });

    test("start: a created cycle with today's plan and the mode's settings", async () => {
      const response = await post("/api/v1/cycles", { mode: "normal" });
      expect(response.status).toBe(200);
      cycle = await response.json();
      expect(cycle).toMatchObject({
        mode: "sim",
        tradingDate: DAY,
        state: "created",
        riskMode: "normal",
        settings: MODE_SETTINGS.normal,
        plan: dayPlan(DAY),
        endedAt: null,
        lastScanAt: null,
        lastScanId: null,
        scans: 0,
        entriesPlaced: 0,
        errorMessage: null,
      });
      expect(Date.parse(cycle.startedAt)).toBe(etInstant(DAY, "09:00"));
      expect(await (await api("/api/v1/cycles/current")).json()).toEqual(cycle);
    });

    test("a second start: 409 naming the running cycle; a bad mode: 422 naming the field", async () => {
      const second = await post("/api/v1/cycles", { mode: "aggressive" });
      expect(second.status).toBe(409);
      const { error } = await second.json();
      expect(error.code).toBe("cycle_active");
      expect(error.message).toContain(cycle.cycleId);
      const bad = await post("/api/v1/cycles", { mode: "autonomous" });
      expect(bad.status).toBe(422);
      expect((await bad.json()).error.field).toBe("mode");
    });

    test("reading by id: unknown 404, malformed 422", async () => {
      expect(await (await api(`/api/v1/cycles/${cycle.cycleId}`)).json()).toEqual(cycle);
      const unknown = await api(`/api/v1/cycles/${UNKNOWN_ID}`);
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.code).toBe("cycle_not_found");
      const malformed = await api("/api/v1/cycles/not-a-uuid");
      expect(malformed.status).toBe(422);
      expect((await malformed.json()).error.field).toBe("id");
    });

    test("ticks: nothing at 09:00; at 09:16 the pre-market scan, stored with this cycle", async () => {
      const early = await (await post("/api/v1/workflow/tick")).json();
      expect(early).toEqual({ cycle, actions: [] });

      expect((await setClock("09:16")).status).toBe(200);
      const response = await post("/api/v1/workflow/tick");
      expect(response.status).toBe(200);
      const { cycle: after, actions } = await response.json();
      expect(actions).toEqual([expect.stringMatching(/^scan: \d+ candidate\(s\)/)]);
      expect(after).toMatchObject({ cycleId: cycle.cycleId, state: "monitoring", scans: 1, entriesPlaced: 0 });
      expect(Date.parse(after.lastScanAt)).toBe(etInstant(DAY, "09:16"));
      expect(Date.parse(after.lastActivityAt)).toBe(etInstant(DAY, "09:16"));
      const latest = await (
        await fetch(`http://127.0.0.1:${servicePort(config, "scanner")}/api/v1/scan/latest`, { headers: { "x-api-key": appliance.apiKey.key } })
      ).json();
      expect(latest).toMatchObject({ scanId: after.lastScanId, cycleId: cycle.cycleId, mode: "normal" });
      cycle = after;

      // Within the scan interval and before entries open: nothing more to do.
      await setClock("09:20");
      expect((await (await post("/api/v1/workflow/tick")).json()).actions).toEqual([]);
    }, 60_000);

    test("stop: closed with its end time; stopping again 409; no cycle runs and a tick does nothing", async () => {
      const response = await post(`/api/v1/cycles/${cycle.cycleId}/stop`, { reason: "test over" });
      expect(response.status).toBe(200);
      const stopped: CycleView = await response.json();
      expect(stopped).toMatchObject({ cycleId: cycle.cycleId, state: "closed", lastScanId: cycle.lastScanId, scans: 1 });
      expect(Date.parse(stopped.endedAt!)).toBe(etInstant(DAY, "09:20"));
      const again = await post(`/api/v1/cycles/${cycle.cycleId}/stop`);
      expect(again.status).toBe(409);
      expect((await again.json()).error.code).toBe("cycle_ended");
      const current = await api("/api/v1/cycles/current");
      expect(current.status).toBe(404);
      expect((await current.json()).error.code).toBe("no_active_cycle");
      expect(await (await post("/api/v1/workflow/tick")).json()).toEqual({ cycle: null, actions: [] });
      cycle = stopped;
    });

    test("after a restart the cycle reads back the same; a stop that cannot flatten changes nothing", async () => {
      await appliance.stop();
      // Trading is left out: it cannot be reached to flatten.
      await start(`${DAY}T09:30`, { only: defaultServices("sim").filter((s) => s !== "trading") });
      expect(await (await api(`/api/v1/cycles/${cycle.cycleId}`)).json()).toEqual(cycle);

      const started: CycleView = await (await post("/api/v1/cycles", { mode: "conservative" })).json();
      expect(started).toMatchObject({ state: "created", riskMode: "conservative", settings: MODE_SETTINGS.conservative });
      // The scheduler's first tick comes one period after start (an hour here), not on the next
      // second: a tick of its own would now scan this cycle at 09:30 behind the test's back.
      await Bun.sleep(1500);
      const refused = await post(`/api/v1/cycles/${started.cycleId}/stop`, { closePositions: true });
      expect(refused.status).toBe(503);
      expect((await refused.json()).error.code).toBe("trading_unavailable");
      expect(await (await api(`/api/v1/cycles/${started.cycleId}`)).json()).toEqual(started);
    }, 60_000);

    test("a day's entries and flatten: outage resumed next tick, refusals skipped, flat → closed", async () => {
      const cycleId = (await (await api("/api/v1/cycles/current")).json()).cycleId as string;
      const trading = standInTrading(servicePort(config, "trading"));
      try {
        // 09:36: a fresh scan, then entries; trading is down for the first one.
        trading.entryAnswers.push("outage");
        await setClock("09:36");
        const first = await (await post("/api/v1/workflow/tick")).json();
        expect(first.actions[0]).toMatch(/^scan: /);
        expect(first.actions.at(-1)).toMatch(/failed: .*retrying next tick$/);
        expect(first.cycle.state).toBe("monitoring");
        const scan: ScanReport = await (
          await fetch(`http://127.0.0.1:${servicePort(config, "scanner")}/api/v1/scan/latest`, { headers: { "x-api-key": appliance.apiKey.key } })
        ).json();
        expect(scan.scanId).toBe(first.cycle.lastScanId);

        // Next tick, same minute: no new scan; the cut-short pass resumes with the same candidate, which risk refuses.
        trading.entryAnswers.push("refuse");
        const second = await (await post("/api/v1/workflow/tick")).json();
        expect(second.actions[0]).toBe(`skip ${trading.entries[0]!.symbol}: risk_rejected (trading: risk_rejected)`);
        expect(second.cycle.scans).toBe(1);

        const settings = MODE_SETTINGS.conservative;
        const enterable = scan.candidates.filter((c) => c.suggested && c.score >= settings.minScore && c.direction === "long");
        const expected = enterable.slice(0, settings.maxEntries + 1).map((c): PlaceOrderBody => ({
          symbol: c.symbol,
          side: "long",
          type: "market",
          stopLoss: String(c.suggested!.stop),
          takeProfit: String(c.suggested!.target),
          cycleId,
          source: "workflow",
          idempotencyKey: `${cycleId}:${c.symbol}`,
          // The pattern only when there is one; how the stop was set is its own field; the news by its kind.
          evidence: {
            scanId: scan.scanId,
            rank: c.rank,
            score: c.score,
            ...(c.pattern === null ? {} : { pattern: c.pattern }),
            ...(c.catalyst === null ? {} : { catalyst: c.catalyst.kind }),
            stopBasis: c.suggested!.basis === "atr" ? "atr" : "pattern",
          },
        }));
        // More than the mode allows, so the cap is exercised (the seeded day offers five).
        expect(enterable.length).toBeGreaterThan(settings.maxEntries + 1);
        // The outage's candidate twice (resent under the same key), then as many more as the mode's entries.
        expect(trading.entries).toEqual([expected[0]!, ...expected]);
        expect(second.actions.filter((a: string) => a.startsWith("enter "))).toHaveLength(settings.maxEntries);

        // 15:50: one flatten, closing; the next tick finds the account flat and closes the cycle.
        await setClock("15:50");
        const flatten = await (await post("/api/v1/workflow/tick")).json();
        expect(flatten.actions).toEqual(["flatten: 0 order(s) cancelled, 0 position(s) closing"]);
        expect(flatten.cycle.state).toBe("closing");
        expect(trading.flattens).toEqual([{ reason: "end of day flatten", trigger: "end_of_day" }]);
        const closed = await (await post("/api/v1/workflow/tick")).json();
        expect(closed.actions).toEqual(["closed: no open positions"]);
        expect(closed.cycle).toMatchObject({ state: "closed", endedAt: new Date(etInstant(DAY, "15:50")).toISOString() });
        expect(trading.flattens).toHaveLength(1);
      } finally {
        trading.stop();
      }
    }, 60_000);

    test("an emergency stop halts the live cycle at its next tick: no scans or entries after it, a stop still closes it", async () => {
      // The next trading day (the clock only moves forward).
      await setClock("10:00", NEXT_DAY);
      const started: CycleView = await (await post("/api/v1/cycles", { mode: "normal" })).json();
      expect(started).toMatchObject({ state: "created", haltReason: null });
      const risk = (path: string, method: string, body?: unknown) =>
        fetch(`http://127.0.0.1:${servicePort(config, "risk")}${path}`, {
          method,
          headers: { "x-api-key": appliance.apiKey.key, "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      // Trading is not running here: the flatten is reported as a problem, the kill switch is set all the same.
      expect((await risk("/api/v1/risk/emergency-stop", "POST", { reason: "halt test", setBy: "workflow-test" })).status).toBe(200);
      try {
        const halted = await (await post("/api/v1/workflow/tick")).json();
        expect(halted.cycle).toMatchObject({ cycleId: started.cycleId, state: "halted", haltReason: "emergency stop: halt test", scans: 0 });
        expect(halted.actions).toEqual(["halted: emergency stop: halt test; no new entries this cycle, positions are flattened before the close"]);
        // Scans are due every tick from here on; a halted cycle takes none.
        await setClock("10:30", NEXT_DAY);
        const later = await (await post("/api/v1/workflow/tick")).json();
        expect(later).toMatchObject({ cycle: { state: "halted", scans: 0, entriesPlaced: 0 }, actions: [] });
      } finally {
        expect((await risk("/api/v1/risk/emergency-stop?clearedBy=workflow-test", "DELETE")).status).toBe(200);
      }
      // Clearing the emergency stop does not resume this cycle; stopping it closes it, keeping why it halted.
      expect((await (await post("/api/v1/workflow/tick")).json()).cycle.state).toBe("halted");
      const stopped: CycleView = await (await post(`/api/v1/cycles/${started.cycleId}/stop`, { reason: "after the halt" })).json();
      expect(stopped).toMatchObject({ state: "closed", haltReason: "emergency stop: halt test" });
    }, 60_000);

    test("on a Saturday no cycle starts: 422 naming the next trading day", async () => {
      await appliance.stop();
      await start("2026-03-14T10:00", { only: ["venue", "workflow"] });
      const response = await post("/api/v1/cycles", { mode: "normal" });
      expect(response.status).toBe(422);
      const { error } = await response.json();
      expect(error.code).toBe("not_a_trading_day");
      expect(error.message).toContain("2026-03-16");
    }, 60_000);
  });
}
