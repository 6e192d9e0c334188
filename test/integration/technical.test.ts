/**
 * The technical service in its worker (the appliance with only `technical`), against a real
 * simulated venue over HTTP: indicators equal to the domain's on the venue's own bars, the cache,
 * and every error a caller can meet.
 */
import { Value } from "@sinclair/typebox/value";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAlpacaBroker } from "../../src/adapters/broker/alpaca.ts";
import type { Bar, Broker } from "../../src/adapters/broker/broker.ts";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import { IndicatorsResponse, indicatorsRoute } from "../../src/contracts/technical.ts";
import { etDate, etInstant, session } from "../../src/domain/exchange-calendar.ts";
import { computeIndicators } from "../../src/domain/indicators/compute.ts";
import { TECHNICAL_SIGNAL_VERSION, technicalSignal } from "../../src/domain/indicators/signal.ts";
import { ServiceClient } from "../../src/runtime/client.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { freePortBase, tempDir } from "../support/env.ts";
import { startTestVenue, VENUE_KEY_ID, VENUE_SECRET, type TestVenue } from "../support/venue.ts";

const API_KEY = "technical-test-key-0123456789";

let venue: TestVenue;
let appliance: Appliance;
let config: Config;
let dataDir: ReturnType<typeof tempDir>;
let direct: Broker;
let liquid: string;

const url = (path: string) => `http://127.0.0.1:${servicePort(config, "technical")}${path}`;
const get = (path: string, headers: Record<string, string> = { "x-api-key": API_KEY }) => fetch(url(path), { headers });

/** What the service should have used, fetched straight from the venue: its last `limit` completed regular-session bars. */
async function venueBars(symbol: string, timeframe: "5Min" | "1Day", limit: number, from: string): Promise<Bar[]> {
  const now = Date.parse((await direct.getClock()).timestamp);
  const bars = (await direct.getBars([symbol], timeframe, { start: `${from}T00:00:00Z`, end: new Date(now).toISOString() }))[symbol] ?? [];
  const completed = (bar: Bar) => {
    const t = Date.parse(bar.timestamp);
    const day = session(etDate(t))!;
    return timeframe === "1Day" ? day.close <= now : t >= day.open && t + 5 * 60_000 <= Math.min(day.close, now);
  };
  return bars.filter(completed).slice(-limit);
}

beforeAll(async () => {
  // Early in the simulated history (it starts 2024-01-02), so daily bars are still few; the
  // tests below move the clock on to 2026-03-10 11:00 New York time.
  venue = startTestVenue({ seed: 1, start: "2024-01-08T11:00" });
  dataDir = tempDir();
  config = loadConfig({
    CATALYST_MODE: "sim",
    CATALYST_DATA_DIR: dataDir.path,
    CATALYST_PORT_BASE: String(await freePortBase()),
    CATALYST_URL_VENUE: venue.baseUrl,
    VENUE_KEY_ID,
    VENUE_SECRET_KEY: VENUE_SECRET,
    CATALYST_API_KEY: API_KEY,
    CATALYST_LOG_LEVEL: "error",
  });
  appliance = await startAppliance(config, { only: ["technical"] });
  direct = createAlpacaBroker({ tradingBaseUrl: venue.baseUrl, dataBaseUrl: venue.baseUrl, streamUrl: venue.streamUrl, keyId: VENUE_KEY_ID, secret: VENUE_SECRET, callerName: "test" });
  liquid = venue.venue.market
    .assets()
    .filter((a) => a.tradable && a.basePrice > 20 && a.basePrice < 200)
    .sort((a, b) => b.avgDailyVolume - a.avgDailyVolume || a.symbol.localeCompare(b.symbol))[0]!.symbol;
}, 60_000);

afterAll(async () => {
  await appliance?.stop();
  await venue?.close();
  dataDir?.remove();
});

describe("early in the history: too few daily bars", () => {
  test("422 insufficient_bars saying how many are needed and how many exist", async () => {
    const response = await get(`/api/v1/indicators/${liquid}?timeframe=1Day`);
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe("insufficient_bars");
    // Jan 2–5; Jan 8's bar is still forming.
    expect(error.message).toContain("only 4 1Day bars");
    expect(error.message).toContain("at least 34");
  });

  test("the intraday history is long enough already", async () => {
    const response = await get(`/api/v1/indicators/${liquid}?timeframe=5Min&limit=100`);
    expect(response.status).toBe(200);
    expect((await response.json()).bars).toBe(100);
  });
});

describe("on 2026-03-10 at 11:00 New York time", () => {
  beforeAll(() => {
    venue.advance((etInstant("2026-03-10", "11:00") - venue.venue.now()) / 1000);
  });

  test("5Min: every field, values equal to computeIndicators on the venue's own last 300 bars", async () => {
    const response = await get(`/api/v1/indicators/${liquid.toLowerCase()}`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(Value.Check(IndicatorsResponse, body)).toBe(true);

    const bars = await venueBars(liquid, "5Min", 300, "2026-02-20");
    const last = bars.at(-1)!;
    expect(bars.length).toBe(300);
    expect(last.timestamp).toBe(new Date(etInstant("2026-03-10", "10:55")).toISOString());
    const expected = computeIndicators(bars, { vwapAnchor: "session" });
    if (expected.kind !== "ok") throw new Error("expected indicators");
    expect(body).toEqual({
      symbol: liquid,
      timeframe: "5Min",
      asOf: last.timestamp,
      bars: 300,
      indicators: expected.indicators,
      signal: { ...technicalSignal(expected.indicators, last.close), version: TECHNICAL_SIGNAL_VERSION },
      cached: false,
    });
    // Default limit 300 with the ≥200-bar EMA: nothing is missing on a liquid name.
    for (const value of Object.values(body.indicators)) expect(value).not.toBeNull();
    // Session-anchored: over today's 18 bars (09:30 to 10:55) only, not the 300.
    const today = bars.filter((b) => etDate(Date.parse(b.timestamp)) === "2026-03-10");
    expect(today.length).toBe(18);
    const typicalTimesVolume = today.reduce((sum, b) => sum + ((b.high + b.low + b.close) / 3) * b.volume, 0);
    expect(body.indicators.vwap).toBeCloseTo(typicalTimesVolume / today.reduce((sum, b) => sum + b.volume, 0), 8);
  });

  test("the same bars again are served from the cache", async () => {
    const first = await (await get(`/api/v1/indicators/${liquid}`)).json();
    const second = await (await get(`/api/v1/indicators/${liquid}`)).json();
    expect(second.cached).toBe(true);
    expect({ ...second, cached: false }).toEqual({ ...first, cached: false });
    // 11:02: the 11:00 bar is still forming and is not used, so nothing changed.
    venue.advance(2 * 60);
    expect((await (await get(`/api/v1/indicators/${liquid}`)).json()).cached).toBe(true);
    // 11:05: it has ended; a new bar, a new answer.
    venue.advance(3 * 60);
    const later = await (await get(`/api/v1/indicators/${liquid}`)).json();
    expect(later.cached).toBe(false);
    expect(later.asOf).toBe(new Date(etInstant("2026-03-10", "11:00")).toISOString());
  });

  test("1Day through the typed client: window-anchored VWAP, values equal to the venue's daily bars", async () => {
    const client = ServiceClient.fromConfig(config, API_KEY);
    const body = await client.call(indicatorsRoute, { params: { symbol: liquid }, query: { timeframe: "1Day", limit: 250 } });
    const bars = await venueBars(liquid, "1Day", 250, "2024-01-01");
    const expected = computeIndicators(bars, { vwapAnchor: "window" });
    if (expected.kind !== "ok") throw new Error("expected indicators");
    expect(body.bars).toBe(250);
    expect(body.asOf).toBe(bars.at(-1)!.timestamp);
    expect(body.indicators).toEqual(expected.indicators);
    expect(body.signal).toEqual({ ...technicalSignal(expected.indicators, bars.at(-1)!.close), version: TECHNICAL_SIGNAL_VERSION });
  });

  test("422 naming the field for a timeframe or limit outside the contract", async () => {
    for (const [query, field] of [
      ["timeframe=2Min", "timeframe"],
      ["limit=20", "limit"],
      ["limit=1001", "limit"],
      ["limit=50.5", "limit"],
    ] as const) {
      const response = await get(`/api/v1/indicators/${liquid}?${query}`);
      expect(response.status).toBe(422);
      const { error } = await response.json();
      expect(error).toMatchObject({ code: "validation_failed", field });
    }
  });

  test("404 for a symbol the broker has no bars for, with what to do", async () => {
    expect(venue.venue.market.asset("ZZZQX")).toBeUndefined();
    const response = await get("/api/v1/indicators/ZZZQX");
    expect(response.status).toBe(404);
    const { error } = await response.json();
    expect(error.code).toBe("unknown_symbol");
    expect(error.message).toContain("ZZZQX");
  });

  test("401 without the API key", async () => {
    const response = await get(`/api/v1/indicators/${liquid}`, {});
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("unauthorized");
  });

  test("503 broker_unavailable while the venue answers every request with 503", async () => {
    expect((await venue.admin("PUT", "/faults", { errorRate: 1, errorStatus: 503 })).status).toBe(200);
    try {
      const response = await get(`/api/v1/indicators/${liquid}?timeframe=15Min`);
      expect(response.status).toBe(503);
      expect((await response.json()).error.code).toBe("broker_unavailable");
    } finally {
      await venue.admin("DELETE", "/faults");
    }
  });
});
