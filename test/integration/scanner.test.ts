/**
 * The scanner over real HTTP on both backends, in sim mode on a seeded day: the venue's generator
 * plants news catalysts that move their stocks; a scan must rank the planted bullish ones at the
 * top and never offer a planted bearish one as a long.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import type { BusMessage } from "../../src/contracts/bus.ts";
import type { ScanReport } from "../../src/contracts/scanner.ts";
import { etInstant } from "../../src/domain/exchange-calendar.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { SyntheticMarket } from "../../src/services/venue/market/market.ts";
import { BACKENDS, freePortBase, venueFetch, waitFor } from "../support/env.ts";

const DAY = "2026-03-10";
const SEED = 1;
const market = new SyntheticMarket(SEED);

for (const backend of BACKENDS) {
  describe(`scanner on ${backend.name}`, () => {
    let appliance: Appliance;
    let config: Config;
    let cleanup: () => Promise<void>;
    let scan: ScanReport;
    let bus: RedisBus | null = null;
    const published: BusMessage[] = [];
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${servicePort(config, "scanner")}${path}`, {
        ...init,
        headers: { "x-api-key": appliance.apiKey.key, "content-type": "application/json" },
      });

    beforeAll(async () => {
      const prepared = await backend.prepare();
      cleanup = prepared.cleanup;
      config = loadConfig({
        ...prepared.env,
        CATALYST_PORT_BASE: String(await freePortBase()),
        CATALYST_LOG_LEVEL: "error",
        VENUE_SEED: String(SEED),
        VENUE_START: `${DAY}T09:50`,
      });
      appliance = await startAppliance(config);
      // Freeze the market so the scan and the test's expectations see the same instant.
      await venueFetch(config, appliance.apiKey.key)("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ paused: true }) });
      if (config.redisUrl) {
        bus = new RedisBus(config.redisUrl, config.busNamespace, "scanner-test");
        await bus.connect();
        bus.subscribe("scan_complete", (m) => published.push(m));
      }
      const response = await api("/api/v1/scan", { method: "POST", body: JSON.stringify({ mode: "normal", limit: 20 }) });
      expect(response.status).toBe(200);
      scan = await response.json();
    }, 120_000);

    afterAll(async () => {
      await bus?.close();
      await appliance?.stop();
      await cleanup?.();
    });

    const asOf = () => Date.parse(scan.asOf);
    /** Planted catalysts published before the scan, on stocks the scan's universe rules admit. */
    const planted = (direction: 1 | -1, minImpact: number) =>
      market
        .news(DAY)
        .filter((n) => n.direction === direction && n.impact >= minImpact && n.createdAt <= asOf())
        .map((n) => n.symbols[0]!)
        .filter((symbol) => {
          const asset = market.asset(symbol);
          const price = market.priceAt(symbol, asOf());
          return asset?.tradable && price !== null && price >= config.scanner.priceMinUsd && price <= config.scanner.priceMaxUsd && asset.avgDailyVolume >= config.scanner.minAvgVolume;
        });

    test("the scan covers the whole tradable universe and explains itself", () => {
      expect(scan.universeSize).toBeGreaterThan(5_000);
      expect(scan.prefiltered).toBeGreaterThan(scan.enriched);
      expect(scan.enriched).toBeGreaterThan(0);
      expect(scan.asOf.startsWith(DAY)).toBe(true);
      expect(Math.abs(asOf() - etInstant(DAY, "09:50"))).toBeLessThan(60_000);
      expect(scan.scoringVersion).toMatch(/^scan-/);
      expect(scan.candidates.length).toBeGreaterThan(3);
      scan.candidates.forEach((c, i) => {
        expect(c.rank).toBe(i + 1);
        expect(c.reasons.length).toBeGreaterThanOrEqual(6);
        if (i > 0) expect(c.score).toBeLessThanOrEqual(scan.candidates[i - 1]!.score);
      });
    });

    test("the planted bullish catalyst stocks rank in the top 10, as longs", () => {
      const bullish = planted(1, 0.08);
      expect(bullish.length).toBeGreaterThanOrEqual(3);
      const top10 = scan.candidates.slice(0, 10);
      for (const symbol of bullish) {
        const hit = top10.find((c) => c.symbol === symbol);
        expect({ symbol, rank: hit?.rank ?? null, direction: hit?.direction }).toMatchObject({ symbol, direction: "long" });
        expect(hit!.components.catalyst).toBeGreaterThan(0);
      }
    });

    test("no planted bearish catalyst stock is a long candidate", () => {
      const bearish = planted(-1, 0.02);
      expect(bearish.length).toBeGreaterThanOrEqual(3);
      for (const c of scan.candidates) {
        if (bearish.includes(c.symbol)) expect({ symbol: c.symbol, direction: c.direction }).toEqual({ symbol: c.symbol, direction: "short" });
      }
    });

    test("the scan is stored: latest returns it, a candidate's history shows it, unknown symbols 404", async () => {
      const latest = await (await api("/api/v1/scan/latest")).json();
      expect(latest).toEqual(scan);
      const top = scan.candidates[0]!;
      const history = await (await api(`/api/v1/scan/candidates/${top.symbol.toLowerCase()}`)).json();
      expect(history.symbol).toBe(top.symbol);
      expect(history.appearances[0]).toMatchObject({ scanId: scan.scanId, rank: 1, score: top.score, direction: top.direction });
      const unknown = await api("/api/v1/scan/candidates/ZZZZQ");
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.code).toBe("never_a_candidate");
    });

    test("bad input is refused naming the field, and nothing is stored", async () => {
      for (const [body, field] of [
        [{ mode: "yolo" }, "mode"],
        [{ limit: 0 }, "limit"],
        [{ limit: 51 }, "limit"],
        [{ cycleId: "not-a-uuid" }, "cycleId"],
      ] as const) {
        const response = await api("/api/v1/scan", { method: "POST", body: JSON.stringify(body) });
        expect(response.status).toBe(422);
        expect((await response.json()).error.field).toBe(field);
      }
      const unknownCycle = await api("/api/v1/scan", { method: "POST", body: JSON.stringify({ cycleId: "00000000-0000-4000-8000-000000000000" }) });
      expect(unknownCycle.status).toBe(404);
      expect((await unknownCycle.json()).error.field).toBe("cycleId");
      const latest = await (await api("/api/v1/scan/latest")).json();
      expect(latest.scanId).toBe(scan.scanId);
    });

    test("the batch routes the scan uses: one report per symbol, or that symbol's own error", async () => {
      const top = scan.candidates[0]!.symbol;
      for (const [service, path] of [
        ["technical", "/api/v1/indicators/batch"],
        ["pattern", "/api/v1/patterns/batch"],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${servicePort(config, service)}${path}`, {
          method: "POST",
          headers: { "x-api-key": appliance.apiKey.key, "content-type": "application/json" },
          body: JSON.stringify({ symbols: [top, "ZZZZQ"], timeframe: "5Min" }),
        });
        expect(response.status).toBe(200);
        const { results } = await response.json();
        expect(results.map((r: { symbol: string }) => r.symbol)).toEqual([top, "ZZZZQ"]);
        expect(results[0].report.symbol).toBe(top);
        expect(results[0].error).toBeNull();
        expect(results[1]).toMatchObject({ report: null, error: { status: 404 } });
        const single = await fetch(`http://127.0.0.1:${servicePort(config, service)}${path.replace("/batch", "")}/${top}?timeframe=5Min`, {
          headers: { "x-api-key": appliance.apiKey.key },
        });
        const { cached: _, ...singleReport } = await single.json();
        const { cached: __, ...batchReport } = results[0].report;
        expect(batchReport).toEqual(singleReport);
        const tooMany = await fetch(`http://127.0.0.1:${servicePort(config, service)}${path}`, {
          method: "POST",
          headers: { "x-api-key": appliance.apiKey.key, "content-type": "application/json" },
          body: JSON.stringify({ symbols: Array.from({ length: 101 }, (_, i) => `S${i}`) }),
        });
        expect(tooMany.status).toBe(422);
        expect((await tooMany.json()).error.field).toBe("symbols");
      }
    });

    test("without the key: 401", async () => {
      const response = await fetch(`http://127.0.0.1:${servicePort(config, "scanner")}/api/v1/scan/latest`);
      expect(response.status).toBe(401);
    });

    if (backend.name === "postgres+redis") {
      test("catalyst:scan_complete is published with the ranked symbols", async () => {
        const message = await waitFor("scan_complete", async () => published.find((m) => (m.payload as { scanId: string }).scanId === scan.scanId));
        expect(message.source).toBe("scanner");
        expect((message.payload as { candidates: { symbol: string }[] }).candidates.map((c) => c.symbol)).toEqual(scan.candidates.map((c) => c.symbol));
      });
    }
  });
}
