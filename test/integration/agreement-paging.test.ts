/**
 * The agreement check reads every venue order, not the first 500: GET /v2/orders pages by time
 * (`after`, `until`, `direction`, at most 500 a call), and orders often share an instant (the test
 * venue's clock is paused). Only the simulated venue is involved: no database, no backend.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { allVenueOrders } from "../support/agreement.ts";
import { startTestVenue, type TestVenue } from "../support/venue.ts";

let venue: TestVenue;
let symbol: string;
let price: number;
const placed = new Set<string>();
let seq = 0;

const get = async (path: string) => (await fetch(`${venue.baseUrl}${path}`, { headers: venue.headers })).json();

/** A resting limit order far from the market: it stays open, buy below, sell (short) above. */
async function rest(side: "buy" | "sell"): Promise<void> {
  const limit = (side === "buy" ? price * 0.5 : price * 2).toFixed(2);
  const body = { symbol, qty: "1", side, type: "limit", limit_price: limit, time_in_force: "gtc", client_order_id: `paging-${++seq}` };
  const response = await fetch(`${venue.baseUrl}/v2/orders`, { method: "POST", headers: venue.headers, body: JSON.stringify(body) });
  const order = (await response.json()) as { id: string };
  if (response.status !== 200) throw new Error(`order refused: ${JSON.stringify(order)}`);
  placed.add(order.id);
}

beforeAll(() => {
  venue = startTestVenue({ seed: 11, start: "2026-03-10T10:00", initialCashUsd: 10_000_000 });
  const asset = venue.venue.market
    .assets()
    .filter((a) => a.tradable && a.shortable && a.easyToBorrow && a.basePrice > 20 && a.basePrice < 200)
    .sort((a, b) => b.avgDailyVolume - a.avgDailyVolume || a.symbol.localeCompare(b.symbol))[0]!;
  symbol = asset.symbol;
  price = asset.basePrice;
});

afterAll(async () => {
  await venue?.close();
});

test("every order is read: 600 at one instant, then 700 seven to a millisecond (page boundaries inside an instant)", async () => {
  for (let i = 0; i < 300; i++) await Promise.all([rest("buy"), rest("sell")]);
  for (let ms = 0; ms < 100; ms++) {
    venue.advance(0.001);
    await Promise.all(Array.from({ length: 7 }, (_, i) => rest(i % 2 === 0 ? "buy" : "sell")));
  }
  expect(placed.size).toBe(1_300);
  // One call sees at most 500: reading once would miss 800.
  expect(await get("/v2/orders?status=all&limit=500")).toHaveLength(500);
  const read = await allVenueOrders({ venue: get });
  expect(read).toHaveLength(1_300);
  expect(new Set(read.map((o) => o.id))).toEqual(placed);
  // The symbol filter is kept on every page.
  expect(await allVenueOrders({ venue: get }, ["ZZZZ"])).toEqual([]);
});

test("more than 500 of one status and side at one instant cannot be paged: the check refuses instead of reading part", async () => {
  // Cancelled, the earlier orders are closed (the venue allows no buy beside resting shorts).
  await fetch(`${venue.baseUrl}/v2/orders`, { method: "DELETE", headers: venue.headers });
  venue.advance(1);
  for (let i = 0; i < 501; i++) await rest("buy");
  await expect(allVenueOrders({ venue: get })).rejects.toThrow(/more than 500 open buy venue orders/);
});
