/**
 * catalyst:position_update on every mark refresh: each trading sync marks the open positions at the
 * broker's prices and publishes one `marked` update per position, with the price it wrote.
 * PostgreSQL + Redis only: a test can subscribe to Redis from outside the appliance; the in-process
 * bus has no outside subscriber (the same publish code runs on both, and the alerts tests prove the
 * in-process delivery of trading's messages).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisBus } from "../../src/adapters/bus/redis.ts";
import type { BusMessage } from "../../src/contracts/bus.ts";
import { liquidSymbols, startTestAppliance, type TestAppliance } from "../support/appliance.ts";
import { BACKENDS, waitFor } from "../support/env.ts";

describe("position marks on the bus", () => {
  let t: TestAppliance;
  let bus: RedisBus;
  const updates: BusMessage[] = [];

  beforeAll(async () => {
    t = await startTestAppliance(BACKENDS.find((b) => b.name === "postgres+redis")!, { VENUE_START: "2026-03-10T10:30", BROKER_REQUESTS_PER_MINUTE: "1000000" }, ["venue", "risk", "trading"]);
    await t.venue("/admin/v1/clock", { method: "PUT", body: { paused: true } });
    bus = new RedisBus(t.config.redisUrl!, t.config.busNamespace, "marks-test");
    await bus.connect();
    bus.subscribe("position_update", (m) => updates.push(m));
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await t?.stop();
  });

  test("a sync publishes a marked update per open position, with the price written", async () => {
    const [{ symbol, price }] = (await liquidSymbols(t, 1)) as [{ symbol: string; price: number }];
    const placed = await t.api("trading", "/api/v1/orders", {
      body: { symbol, side: "long", type: "market", qty: 1, stopLoss: (price * 0.9).toFixed(2), takeProfit: (price * 1.25).toFixed(2), source: "api" },
    });
    expect(placed.status).toBe(200);
    await t.venue("/admin/v1/clock/advance", { body: { seconds: 2 } });
    const positionId = Number((await waitFor("the position", async () => (await t.sql`select position_id from positions where entry_order_id = ${placed.body.order.orderId} and status = 'open'`)[0])).position_id);
    await waitFor("the opened update", async () => updates.some((m) => (m.payload as { change: string; positionId: number }).change === "opened"));

    const before = updates.length;
    await t.venue("/admin/v1/clock/advance", { body: { seconds: 60 } });
    expect((await t.api("trading", "/api/v1/sync", { method: "POST" })).status).toBe(200);
    const marked = await waitFor("a marked update after the sync", async () =>
      updates.slice(before).find((m) => (m.payload as { change: string; positionId: number }).change === "marked" && (m.payload as { positionId: number }).positionId === positionId),
    );
    const [row] = await t.sql`select last_price::text as price, last_price_at from positions where position_id = ${positionId}`;
    expect(marked.source).toBe("trading");
    expect(marked.payload).toMatchObject({ change: "marked", positionId, symbol });
    const payload = marked.payload as { lastPrice: string; markedAt: string };
    expect(Number(payload.lastPrice)).toBe(Number(row!.price));
    expect(Date.parse(payload.markedAt)).toBe((row!.last_price_at as Date).getTime());
  });
});
