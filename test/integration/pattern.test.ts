/** The pattern service inside the whole appliance (embedded backend), over HTTP, against the venue's own bars. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { Bar, Timeframe } from "../../src/adapters/broker/broker.ts";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import { PatternReport } from "../../src/contracts/pattern.ts";
import { etDate, session } from "../../src/domain/exchange-calendar.ts";
import { detectPatterns } from "../../src/domain/patterns/detect.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { BACKENDS, freePortBase, venueFetch } from "../support/env.ts";

const embedded = BACKENDS.find((backend) => backend.name === "embedded")!;
const BAR_MINUTES: Record<Exclude<Timeframe, "1Day">, number> = { "1Min": 1, "5Min": 5, "15Min": 15, "1Hour": 60 };

interface VenueBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number;
  n: number;
}

describe("pattern service", () => {
  let appliance: Appliance;
  let config: Config;
  let cleanup: () => Promise<void>;
  /** The most active symbols at the venue's start; the first one is used where one is enough. */
  let liquid: string[];
  let mostActive: string;

  const venue = (path: string, init: RequestInit = {}) => venueFetch(config, appliance.apiKey.key)(path, init);
  const patterns = (path: string, headers: Record<string, string> = { "x-api-key": appliance.apiKey.key }) =>
    fetch(`http://127.0.0.1:${servicePort(config, "pattern")}/api/v1/patterns/${path}`, { headers });

  /** The venue's bars in [start, end), straight from its Alpaca-shaped API. */
  async function venueBars(symbol: string, timeframe: Timeframe, start: string, end: string): Promise<Bar[]> {
    const response = await venue(`/v2/stocks/${symbol}/bars?timeframe=${timeframe}&start=${start}&end=${end}&limit=10000`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { bars: VenueBar[] | null };
    return (body.bars ?? []).map((b) => ({ timestamp: b.t, open: b.o, high: b.h, low: b.l, close: b.c, volume: b.v, vwap: b.vw, tradeCount: b.n }));
  }

  beforeAll(async () => {
    const prepared = await embedded.prepare();
    cleanup = prepared.cleanup;
    config = loadConfig({
      ...prepared.env,
      CATALYST_PORT_BASE: String(await freePortBase()),
      CATALYST_LOG_LEVEL: "error",
      VENUE_START: "2026-03-10T11:30",
    });
    appliance = await startAppliance(config);
    // Hold the simulated clock still, so the service and this test see the same completed bars.
    expect((await venue("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ paused: true }) })).status).toBe(200);
    const actives = (await (await venue("/v1beta1/screener/stocks/most-actives?top=3")).json()) as { most_actives: { symbol: string }[] };
    liquid = actives.most_actives.map((active) => active.symbol);
    mostActive = liquid[0]!;
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
    await cleanup?.();
  });

  /** The service's report, checked against detectPatterns run here on the venue's own bars. */
  async function compareWithVenue(symbol: string, timeframe: Exclude<Timeframe, "1Day">): Promise<number> {
    const response = await patterns(`${symbol.toLowerCase()}?timeframe=${timeframe}&limit=200`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as PatternReport;
    expect(Value.Check(PatternReport, report)).toBe(true);
    expect(report).toMatchObject({ symbol, timeframe, bars: 200 });

    // The same selection, made here: completed regular-session bars up to the last one, and the day before's close.
    const asOf = Date.parse(report.asOf);
    const fetched = await venueBars(symbol, timeframe, "2026-03-02T00:00:00Z", new Date(asOf + 1).toISOString());
    const regular = fetched.filter((bar) => {
      const start = Date.parse(bar.timestamp);
      const day = session(etDate(start))!;
      return start >= day.open && start + BAR_MINUTES[timeframe] * 60_000 <= day.close;
    });
    const bars = regular.slice(-report.bars);
    expect(bars.at(-1)!.timestamp).toBe(report.asOf);
    const daily = await venueBars(symbol, "1Day", "2026-03-01T00:00:00Z", `${etDate(asOf)}T00:00:00Z`);
    const prevClose = daily.filter((bar) => etDate(Date.parse(bar.timestamp)) < etDate(asOf)).at(-1)!.close;
    expect(report.patterns).toEqual(detectPatterns({ bars, timeframe, prevClose }));

    const confidences = report.patterns.map((p) => p.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const p of report.patterns) {
      const [low, high] = p.direction === "long" ? [p.stop, p.target] : [p.target, p.stop];
      expect(low).toBeLessThan(p.entry);
      expect(p.entry).toBeLessThan(high);
    }
    return report.patterns.length;
  }

  for (const timeframe of ["5Min", "1Min"] as const) {
    test(`${timeframe}: the declared shape, and exactly what detectPatterns finds on the venue's bars`, async () => {
      let found = 0;
      for (const symbol of liquid) found += await compareWithVenue(symbol, timeframe);
      // Something to compare: an empty list equal to an empty list would prove little.
      expect(found).toBeGreaterThan(0);
    });
  }

  test("defaults (5Min, 120 bars) and minConfidence filtering", async () => {
    const all = (await (await patterns(mostActive)).json()) as PatternReport;
    expect(all).toMatchObject({ timeframe: "5Min", bars: 120 });
    // A threshold from the report itself, between its best and its worst pattern: the filter must keep some and drop some.
    const confidences = [...new Set(all.patterns.map((p) => p.confidence))].sort((a, b) => b - a);
    expect(confidences.length).toBeGreaterThanOrEqual(2);
    const threshold = confidences[0]!;
    const strict = (await (await patterns(`${mostActive}?minConfidence=${threshold}`)).json()) as PatternReport;
    expect(strict.patterns.length).toBeGreaterThan(0);
    expect(strict.patterns.length).toBeLessThan(all.patterns.length);
    expect(strict.patterns.every((p) => p.confidence >= threshold)).toBe(true);
    expect(strict.patterns).toEqual(all.patterns.filter((p) => p.confidence >= threshold));
  });

  test("a bad timeframe is a 422 naming the field", async () => {
    const response = await patterns(`${mostActive}?timeframe=2Min`);
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.field).toBe("timeframe");
  });

  // Not a number, and a number under the minimum: both name `limit` (numeric strings are coerced before validation).
  for (const limit of ["abc", "5", "20.5"]) {
    test(`limit=${limit} is a 422 naming the field`, async () => {
      const response = await patterns(`${mostActive}?limit=${limit}`);
      expect(response.status).toBe(422);
      const body = await response.json();
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.field).toBe("limit");
    });
  }

  test("an unknown symbol is a 404 that says what to do", async () => {
    const response = await patterns("ZZZZQX");
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body.error.code).toBe("unknown_symbol");
    expect(body.error.message).toContain("check the ticker");
  });

  test("without the API key: 401", async () => {
    expect((await patterns(mostActive, {})).status).toBe(401);
  });

  test("broker down: 503 broker_unavailable", async () => {
    expect((await venue("/admin/v1/faults", { method: "PUT", body: JSON.stringify({ errorRate: 1, errorStatus: 503 }) })).status).toBe(200);
    try {
      const response = await patterns(`${mostActive}?timeframe=15Min`);
      expect(response.status).toBe(503);
      expect((await response.json()).error.code).toBe("broker_unavailable");
    } finally {
      await venue("/admin/v1/faults", { method: "DELETE" });
    }
  });
});
