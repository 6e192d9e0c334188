/**
 * The news service over real HTTP with the whole appliance, on both backends, in sim mode with the
 * venue's clock paused at 10:30 New York time: ingest, dedupe, reads, catalysts, the bus, bad
 * input and the key. The embedded run scores with the lexicon; the PostgreSQL run with a tiny
 * generated FinBERT-shaped model, so the transformers path is exercised inside the service worker.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import postgres from "postgres";
import type { Bus } from "../../src/adapters/bus/bus.ts";
import { InProcessBusHub } from "../../src/adapters/bus/in-process.ts";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import { loadConfig, servicePort, type Config } from "../../src/config.ts";
import type { BusMessage } from "../../src/contracts/bus.ts";
import type { CatalystItem, NewsArticleItem, NewsCatalystPayload } from "../../src/contracts/news.ts";
import { classifyCatalyst } from "../../src/domain/news/classify.ts";
import { NEUTRAL_BAND } from "../../src/domain/news/sentiment.ts";
import { etDate } from "../../src/domain/exchange-calendar.ts";
import { startAppliance, type Appliance } from "../../src/runtime/supervisor.ts";
import { SyntheticMarket } from "../../src/services/venue/market/market.ts";
import { BACKENDS, freePortBase, tempDir, venueFetch, waitFor } from "../support/env.ts";
import { writeTinySentimentModel } from "../support/tiny-sentiment-model.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const THRESHOLD = 0.6;
const market = new SyntheticMarket(1);

/** What the venue (seed 1) publishes in the 24 h before `now`: the first ingest's window. */
function newsWindow(now: number) {
  const news = [etDate(now - DAY_MS), etDate(now)].flatMap((day) => market.news(day)).filter((n) => n.createdAt >= now - DAY_MS && n.createdAt <= now);
  return { news, strong: news.filter((n) => (classifyCatalyst(n.headline, n.summary)?.strength ?? 0) >= THRESHOLD) };
}

const models = tempDir("catalyst-news-models-");
const tinyModel = writeTinySentimentModel(join(models.path, "tiny-finbert"));
afterAll(() => models.remove());

/**
 * In embedded mode the bus hub lives inside startAppliance; the test joins that same hub by
 * catching it as it attaches the first worker (restored right after start).
 */
async function startWithHub(config: Config): Promise<{ appliance: Appliance; hub: InProcessBusHub | null }> {
  let hub: InProcessBusHub | null = null;
  const attach = InProcessBusHub.prototype.attach;
  InProcessBusHub.prototype.attach = function (this: InProcessBusHub, link) {
    hub ??= this;
    return attach.call(this, link);
  };
  try {
    return { appliance: await startAppliance(config), hub };
  } finally {
    InProcessBusHub.prototype.attach = attach;
  }
}

for (const backend of BACKENDS) {
  describe(`news on ${backend.name}`, () => {
    const usesFinbert = backend.name === "postgres+redis";
    const expectedModel = usesFinbert ? "finbert:tiny-finbert" : "lexicon-v1";
    let appliance: Appliance;
    let config: Config;
    let cleanup: () => Promise<void>;
    let bus: Bus;
    let db: postgres.Sql;
    const received: BusMessage[] = [];
    /** The venue's clock, paused after start-up (10:30 New York time and the seconds start-up took), in Alpaca's whole seconds. */
    let NOW: number;
    let expectedNews: ReturnType<typeof newsWindow>["news"];
    let expectedStrong: typeof expectedNews;
    const headers = () => ({ "x-api-key": appliance.apiKey.key, "content-type": "application/json" });
    const news = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${servicePort(config, "news")}${path}`, { ...init, headers: { ...headers(), ...init.headers } });
    const ingest = async (body: unknown) => {
      const response = await news("/api/v1/news/ingest", { method: "POST", body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    };
    const articleCount = async () => Number((await db`select count(*) as n from news_articles`)[0]!.n);

    beforeAll(async () => {
      const prepared = await backend.prepare();
      cleanup = prepared.cleanup;
      config = loadConfig({
        ...prepared.env,
        CATALYST_PORT_BASE: String(await freePortBase()),
        VENUE_START: "2026-03-10T10:30",
        CATALYST_LOG_LEVEL: "error",
        ...(usesFinbert ? { CATALYST_MODELS_DIR: tinyModel } : {}),
      });
      const started = await startWithHub(config);
      appliance = started.appliance;
      // Freeze the market: every ingest sees the same now.
      const clock = await venueFetch(config, appliance.apiKey.key)("/admin/v1/clock", { method: "PUT", body: JSON.stringify({ paused: true }) });
      NOW = Math.floor(Date.parse(((await clock.json()) as { now: string }).now) / 1000) * 1000;
      ({ news: expectedNews, strong: expectedStrong } = newsWindow(NOW));
      if (config.redisUrl) {
        const redis = new RedisBus(config.redisUrl, config.busNamespace, "news-test");
        await redis.connect();
        bus = redis;
      } else {
        bus = started.hub!.connectLocal("news-test");
      }
      bus.subscribe("news_catalyst", (m) => received.push(m));
      db = postgres(appliance.database.url, { max: 1, onnotice: () => undefined });
    }, 60_000);

    afterAll(async () => {
      await db?.end();
      await bus?.close();
      await appliance?.stop();
      await cleanup?.();
    });

    test("a key is required on every news route", async () => {
      for (const [method, path] of [["POST", "/api/v1/news/ingest"], ["GET", "/api/v1/news"], ["GET", "/api/v1/catalysts"]] as const) {
        const response = await fetch(`http://127.0.0.1:${servicePort(config, "news")}${path}`, { method });
        expect(response.status).toBe(401);
        expect((await response.json()).error.code).toBe("unauthorized");
      }
    });

    test("bad input gets 422 naming the field, and writes nothing", async () => {
      const cases: [string, RequestInit, string][] = [
        ["/api/v1/news/ingest", { method: "POST", body: JSON.stringify({ symbols: ["ACME", "not a ticker!"] }) }, "symbols.1"],
        ["/api/v1/news/ingest", { method: "POST", body: JSON.stringify({ limit: 0 }) }, "limit"],
        ["/api/v1/news/ingest", { method: "POST", body: JSON.stringify({ since: "yesterday" }) }, "since"],
        ["/api/v1/news/ingest", { method: "POST", body: JSON.stringify({ since: new Date(NOW + DAY_MS).toISOString() }) }, "since"],
        ["/api/v1/catalysts?hours=0", {}, "hours"],
        ["/api/v1/catalysts?minStrength=1.5", {}, "minStrength"],
        ["/api/v1/news?symbol=%24%24%24", {}, "symbol"],
        ["/api/v1/news?limit=500", {}, "limit"],
      ];
      for (const [path, init, field] of cases) {
        const response = await news(path, init);
        expect(response.status).toBe(422);
        const body = await response.json();
        expect(body.error.field).toBe(field);
        expect(body.error.message).toContain(field);
      }
      expect(await articleCount()).toBe(0);
      expect(received).toHaveLength(0);
    });

    test("ingest stores the last 24 h of news with sentiment, and publishes exactly the new strong catalysts", async () => {
      const first = await ingest({});
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        fetched: expectedNews.length,
        stored: expectedNews.length,
        duplicates: 0,
        catalysts: expectedStrong.length,
        sentimentModel: expectedModel,
        since: new Date(NOW - DAY_MS).toISOString(),
        asOf: new Date(NOW).toISOString(),
      });
      expect(expectedNews.length).toBeGreaterThan(20);
      expect(expectedStrong.length).toBeGreaterThan(3);
      expect(await articleCount()).toBe(expectedNews.length);

      await waitFor("every news_catalyst message", async () => received.length >= expectedStrong.length, 5_000);
      const payloads = received.map((m) => m.payload as NewsCatalystPayload);
      expect(payloads.map((p) => p.headline).sort()).toEqual(expectedStrong.map((n) => n.headline).sort());
      for (const p of payloads) {
        expect(p.strength).toBeGreaterThanOrEqual(THRESHOLD);
        expect(p.untrustedContent).toBe(true);
        expect(p.sentiment.model).toBe(expectedModel);
        expect(p.symbols).toHaveLength(1);
      }
      expect(received.every((m) => m.source === "news" && m.channel === "news_catalyst")).toBe(true);
    });

    test("a re-ingest stores nothing: the same window is all duplicates, and nothing new is published", async () => {
      const again = await ingest({ since: new Date(NOW - DAY_MS).toISOString() });
      expect(again.body).toMatchObject({ fetched: expectedNews.length, stored: 0, duplicates: expectedNews.length, catalysts: 0 });
      // Without `since` it starts at the last stored article: only that one comes back, a duplicate.
      const incremental = await ingest({});
      expect(incremental.body).toMatchObject({ stored: 0, catalysts: 0 });
      expect(incremental.body.fetched).toBe(incremental.body.duplicates);
      expect(incremental.body.fetched).toBeLessThan(expectedNews.length);
      await Bun.sleep(300);
      expect(received).toHaveLength(expectedStrong.length);
      expect(await articleCount()).toBe(expectedNews.length);
    });

    test("GET /news?symbol= returns only that symbol, newest first, with sentiment and the model that scored it", async () => {
      const symbol = expectedStrong[0]!.symbols[0]!;
      const response = await news(`/api/v1/news?symbol=${symbol.toLowerCase()}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { sentimentModel: string; untrustedContent: boolean; articles: NewsArticleItem[] };
      expect(body.sentimentModel).toBe(expectedModel);
      expect(body.untrustedContent).toBe(true);
      expect(body.articles.length).toBe(expectedNews.filter((n) => n.symbols.includes(symbol)).length);
      for (const article of body.articles) {
        expect(article.symbols).toEqual([symbol]);
        expect(article.sentiment?.model).toBe(expectedModel);
        expect(["negative", "neutral", "positive"]).toContain(article.sentiment!.label);
      }
      const all = (await (await news("/api/v1/news?limit=200")).json()) as { articles: NewsArticleItem[] };
      expect(all.articles).toHaveLength(expectedNews.length);
      const times = all.articles.map((a) => Date.parse(a.publishedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const since = new Date(NOW - 2 * 60 * 60 * 1000).toISOString();
      const recent = (await (await news(`/api/v1/news?since=${since}`)).json()) as { articles: NewsArticleItem[] };
      expect(recent.articles.length).toBe(expectedNews.filter((n) => n.createdAt >= Date.parse(since)).length);
    });

    test("GET /catalysts filters by strength, symbol and hours, newest first, with a direction", async () => {
      const get = async (query: string) => {
        const response = await news(`/api/v1/catalysts${query}`);
        expect(response.status).toBe(200);
        return (await response.json()) as { sentimentModel: string; asOf: string; catalysts: CatalystItem[] };
      };
      const all = await get("");
      const strong = await get(`?minStrength=${THRESHOLD}`);
      expect(all.asOf).toBe(new Date(NOW).toISOString());
      expect(all.sentimentModel).toBe(expectedModel);
      expect(strong.catalysts.map((c) => c.headline).sort()).toEqual(expectedStrong.map((n) => n.headline).sort());
      expect(all.catalysts.length).toBeGreaterThan(strong.catalysts.length);
      expect(strong.catalysts.every((c) => c.strength >= THRESHOLD)).toBe(true);
      const times = all.catalysts.map((c) => Date.parse(c.publishedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      // The published articles' ids are exactly the strong catalysts' ids.
      expect(received.map((m) => (m.payload as NewsCatalystPayload).articleId).sort()).toEqual(strong.catalysts.map((c) => c.articleId).sort());
      // The venue planted a direction on its catalyst stories (noise items have none): the seeded window
      // holds both kinds, and every planted direction is the one read back.
      const planted = (c: CatalystItem) => expectedNews.find((n) => n.headline === c.headline)!.direction;
      const directed = strong.catalysts.filter((c) => planted(c) !== 0);
      expect(directed.length).toBeGreaterThan(0);
      expect(directed.some((c) => planted(c) === 1)).toBe(true);
      expect(directed.some((c) => planted(c) === -1)).toBe(true);
      expect(directed.map((c) => c.direction)).toEqual(directed.map((c) => (planted(c) === 1 ? "bullish" : "bearish")));
      // The sign of signedStrength is the direction; a neutral one leans less than the neutral band.
      for (const c of strong.catalysts) {
        if (c.direction === "neutral") expect(Math.abs(c.signedStrength)).toBeLessThanOrEqual(c.strength * NEUTRAL_BAND);
        else expect(Math.sign(c.signedStrength)).toBe(c.direction === "bullish" ? 1 : -1);
      }
      const symbol = strong.catalysts[0]!.symbol;
      const bySymbol = await get(`?symbol=${symbol}`);
      expect(bySymbol.catalysts.length).toBeGreaterThan(0);
      expect(bySymbol.catalysts.every((c) => c.symbol === symbol)).toBe(true);
      const lastHour = await get("?hours=1");
      expect(lastHour.catalysts.every((c) => Date.parse(c.publishedAt) >= NOW - 60 * 60 * 1000)).toBe(true);
      expect(lastHour.catalysts.length).toBeLessThan(all.catalysts.length);
    });

    test("the broker down → 503 broker_unavailable, nothing written", async () => {
      const venueAdmin = (method: string, body?: unknown) =>
        venueFetch(config, appliance.apiKey.key)("/admin/v1/faults", { method, body: body === undefined ? undefined : JSON.stringify(body) });
      await venueAdmin("PUT", { errorRate: 1, errorStatus: 503 });
      try {
        const down = await ingest({ since: new Date(NOW - DAY_MS).toISOString() });
        expect(down.status).toBe(503);
        expect(down.body.error.code).toBe("broker_unavailable");
        expect(down.body.error.message).toMatch(/could not be reached/);
      } finally {
        await venueAdmin("DELETE");
      }
      expect(await articleCount()).toBe(expectedNews.length);
    });
  });
}
